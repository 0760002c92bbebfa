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
# A student's handout has neither the guide nor this test.
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/instructors_test.py)
  add_test(NAME instructors_tests
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/instructors_test.py)
  set_tests_properties(instructors_tests PROPERTIES TIMEOUT 120 LABELS docs)
endif()

# The handout builder and the grader (notebooks/handout.py, notebooks/grade.py, issue 15):
# a small lab of their own executed with nbclient and graded as the instructor, as an untouched
# student copy and tampered with; two students' handouts of the real labs. About half a minute.
# A student's handout has neither the grader nor this test.
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/grade_test.py)
  add_test(NAME grade_tests
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/grade_test.py)
  set_tests_properties(grade_tests PROPERTIES TIMEOUT 600 LABELS docs)
endif()
