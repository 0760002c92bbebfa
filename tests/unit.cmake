# Unit tests (see tests/CMakeLists.txt).
