"""The sandbox's own gunicorn settings. gunicorn reads `./gunicorn.conf.py` when no file is
named, and from the project's root that is the desk's web process settings (which check the
desk's production secrets); `python -m sandbox --workers N` names this file instead. The rest
of its settings come on the command line."""

worker_class = "gthread"
