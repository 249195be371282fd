"""`python -m app.sandbox`: the stable command that starts the stand-in provider (`sandbox/`)."""

from sandbox.__main__ import main

if __name__ == "__main__":
    main()
