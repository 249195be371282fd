"""`python -m app.sandbox`: the stable command that starts the stand-in provider.

The sandbox itself is the top-level `sandbox` package, beside the app (see the README's
layout). This module only keeps the command that Procfile.dev, the benchmarks and other tools
run; nothing in the app imports it.
"""

from sandbox.__main__ import main

if __name__ == "__main__":
    main()
