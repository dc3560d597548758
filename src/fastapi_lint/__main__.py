import os
import sys

# ``python -m`` puts the working directory first on sys.path: a project linted from its
# root must not be able to shadow a module the linter imports (a ``click.py`` of its own).
if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from fastapi_lint.linter.replay import main  # noqa: E402

main()
