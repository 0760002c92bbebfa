# Grading tests (see tests/CMakeLists.txt; issue 15): the grader of the assignment "Write your
# own model" (tests/grader/grade_model.py, what `./lab grade-model` runs) is tested like a server, by
# tests/grade_model_test.py:
#   grade.reference_solution  lab-server-solution's `student` (models/solutions/) scores full
#                             marks: every case passes
#   grade.skeleton            lab-server's `student`, the untouched skeleton
#                             (models/student_select.cpp), scores zero, each case explained
#   grade.usage               bad arguments: exit status 2 and one line
# Only where the reference solution is (the instructors' repository: a handout has no
# models/solutions/, and its student's file is no longer the skeleton). Each grading takes well
# under a minute on two cores (tests/grader/README.md). Under the sanitizer presets, to keep their
# time down, only the conformance suite runs against the reference solution
# (grade.solution_conformance): the loop's code under ASan, UBSan and TSan.
if(NOT LAB_HAVE_STUDENT_SOLUTION)
    return()
endif()
set(lab_grade_test ${CMAKE_CURRENT_SOURCE_DIR}/grade_model_test.py)
if(NOT LAB_SANITIZE)
    add_test(NAME grade.reference_solution
             COMMAND /usr/bin/python3 ${lab_grade_test} full
                 --bin-dir $<TARGET_FILE_DIR:lab-server>
                 --server-bin $<TARGET_FILE:lab-server-solution>)
    add_test(NAME grade.skeleton
             COMMAND /usr/bin/python3 ${lab_grade_test} zero
                 --bin-dir $<TARGET_FILE_DIR:lab-server> --server-bin $<TARGET_FILE:lab-server>)
    add_test(NAME grade.usage
             COMMAND /usr/bin/python3 ${lab_grade_test} usage
                 --bin-dir $<TARGET_FILE_DIR:lab-server> --server-bin $<TARGET_FILE:lab-server>)
    set_tests_properties(grade.reference_solution grade.skeleton grade.usage PROPERTIES
        TIMEOUT 900 LABELS grade)
else()
    add_test(NAME grade.solution_conformance
             COMMAND $<TARGET_FILE:server_tests> --gtest_filter=Models/Conformance.*/student)
    set_tests_properties(grade.solution_conformance PROPERTIES TIMEOUT 600 LABELS grade
        ENVIRONMENT "LAB_GRADE_MODEL=student;LAB_GRADE_SERVER=$<TARGET_FILE:lab-server-solution>")
endif()
