"""The parts of the customer detail screen: header, action bar, fact box and one widget per tab."""
