"""``python -m cctui``: the same as the ``cctui`` command."""

from cctui.cli import main

if __name__ == "__main__":
    main(prog_name="cctui")
