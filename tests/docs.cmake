# Docs tests (see tests/CMakeLists.txt): notebooks/docs.py (student copies without solutions,
# their check) and notebooks/labkit.py (results, traces, checks) on committed files, and the
# form every lab notebook must have. Python unittest, run by Debian's python3 (with nbformat
# from jupyter-nbconvert, which ./lab setup installs). Executing the labs themselves is
# Makefile.docs' job (`make -f Makefile.docs check`, run by .ci/run).
add_test(NAME docs_tests
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/docs_test.py)
set_tests_properties(docs_tests PROPERTIES TIMEOUT 120 LABELS docs)

# notebooks/INSTRUCTORS.md: its hours and exercise tables are what notebooks/instructors.py
# computes from the labs now.
add_test(NAME instructors_tests
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/instructors_test.py)
set_tests_properties(instructors_tests PROPERTIES TIMEOUT 120 LABELS docs)
