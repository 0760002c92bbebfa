# The benchmarks' own logic without servers (harness/bench/; the benchmarks themselves are run
# by hand): nginx-vs-loops' bad flags, how it turns runs into ratios and aims, and how it
# starts a lab-server (a stand-in's stderr goes to a log file, which names a failed start).
add_test(NAME bench_tests COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/bench_test.py)
set_tests_properties(bench_tests PROPERTIES TIMEOUT 120 LABELS bench)
