# The trees under fixed/ are projects a fix is expected to produce (with their own
# tests, run in a subprocess by the tests that use them): not tests of fastapi-lint.
collect_ignore_glob = ["fixed/*"]
