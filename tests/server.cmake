# Server tests (see tests/CMakeLists.txt).
