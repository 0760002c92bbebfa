# lab_sanitizers: an INTERFACE target every project target links. LAB_SANITIZE is a
# comma-separated list passed to -fsanitize (the asan preset: address,undefined;
# the tsan preset: thread). Empty means no sanitizer.
set(LAB_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined or thread")

add_library(lab_sanitizers INTERFACE)
if(LAB_SANITIZE)
    target_compile_options(lab_sanitizers INTERFACE
        -fsanitize=${LAB_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(lab_sanitizers INTERFACE -fsanitize=${LAB_SANITIZE})
endif()
