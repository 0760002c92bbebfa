# lab_warnings: an INTERFACE target every project target links, so the whole tree
# is compiled with the same warnings. LAB_WERROR=ON (CI sets it) makes them errors.
option(LAB_WERROR "Treat compiler warnings as errors" OFF)

add_library(lab_warnings INTERFACE)
target_compile_options(lab_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    $<$<BOOL:${LAB_WERROR}>:-Werror>)
