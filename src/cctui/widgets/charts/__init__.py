"""Charts drawn with textual-plotext, each with the same figures as a table a key away."""
