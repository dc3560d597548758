# Expected output trees of fixes (whole example projects, with their own tests): data, not tests to collect.
collect_ignore_glob = ["fixed/*"]
