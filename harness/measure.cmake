# lab_measure (included from harness/CMakeLists.txt): what the harness measures with, no
# sockets. histogram.cpp - the log-linear latency histogram (values in ns, ≤ 1/128 error);
# proc_sampler.cpp - a server's whole process tree from /proc (threads, CPU, context
# switches, schedstat, memory) and the steal share from /proc/stat. Tested by
# tests/measure.cmake.
add_library(lab_measure STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/histogram.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/proc_sampler.cpp)
target_include_directories(lab_measure PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(lab_measure PRIVATE lab_warnings lab_sanitizers)
