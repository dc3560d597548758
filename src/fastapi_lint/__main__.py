from fastapi_lint.linter.cli import main

main()
