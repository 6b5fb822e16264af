# Finds the OpenCV modules Kernelscope uses from Debian's split packages
# (libopencv-core-dev, libopencv-imgproc-dev, libopencv-imgcodecs-dev), which
# ship headers and libraries but no OpenCVConfig.cmake.
#
#   find_package(OpenCV MODULE REQUIRED COMPONENTS core imgproc imgcodecs)
#
# Defines the imported targets OpenCV::<component> and OpenCV_VERSION.

include(FindPackageHandleStandardArgs)

find_path(OpenCV_INCLUDE_DIR
    NAMES opencv2/core.hpp
    PATH_SUFFIXES opencv4)

if(OpenCV_INCLUDE_DIR AND EXISTS "${OpenCV_INCLUDE_DIR}/opencv2/core/version.hpp")
    file(STRINGS "${OpenCV_INCLUDE_DIR}/opencv2/core/version.hpp" _ks_cv_version_lines
        REGEX "#define CV_VERSION_(MAJOR|MINOR|REVISION) ")
    foreach(_part MAJOR MINOR REVISION)
        string(REGEX REPLACE ".*#define CV_VERSION_${_part} +([0-9]+).*" "\\1"
            _ks_cv_${_part} "${_ks_cv_version_lines}")
    endforeach()
    set(OpenCV_VERSION "${_ks_cv_MAJOR}.${_ks_cv_MINOR}.${_ks_cv_REVISION}")
endif()

set(_ks_cv_required_vars OpenCV_INCLUDE_DIR)
foreach(_component IN LISTS OpenCV_FIND_COMPONENTS)
    find_library(OpenCV_${_component}_LIBRARY NAMES opencv_${_component})
    if(OpenCV_${_component}_LIBRARY AND OpenCV_INCLUDE_DIR)
        set(OpenCV_${_component}_FOUND TRUE)
        if(NOT TARGET OpenCV::${_component})
            add_library(OpenCV::${_component} UNKNOWN IMPORTED)
            set_target_properties(OpenCV::${_component} PROPERTIES
                IMPORTED_LOCATION "${OpenCV_${_component}_LIBRARY}"
                INTERFACE_INCLUDE_DIRECTORIES "${OpenCV_INCLUDE_DIR}")
        endif()
    else()
        set(OpenCV_${_component}_FOUND FALSE)
    endif()
    mark_as_advanced(OpenCV_${_component}_LIBRARY)
endforeach()
mark_as_advanced(OpenCV_INCLUDE_DIR)

find_package_handle_standard_args(OpenCV
    REQUIRED_VARS OpenCV_INCLUDE_DIR
    VERSION_VAR OpenCV_VERSION
    HANDLE_COMPONENTS)
