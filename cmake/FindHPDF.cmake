# FindHPDF: libharu (libhpdf) ships neither a pkg-config file nor a CMake
# config. Defines HPDF_FOUND, HPDF_INCLUDE_DIR, HPDF_LIBRARY, HPDF_VERSION and
# the imported target HPDF::HPDF.
find_path(HPDF_INCLUDE_DIR NAMES hpdf.h)
find_library(HPDF_LIBRARY NAMES hpdf libhpdf)
if(HPDF_INCLUDE_DIR AND EXISTS "${HPDF_INCLUDE_DIR}/hpdf_version.h")
  file(STRINGS "${HPDF_INCLUDE_DIR}/hpdf_version.h" _hpdf_version
       REGEX "^#define HPDF_VERSION_TEXT[ \t]+\"[^\"]*\"")
  string(REGEX REPLACE ".*\"([^\"]*)\".*" "\\1" HPDF_VERSION "${_hpdf_version}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(HPDF
  REQUIRED_VARS HPDF_LIBRARY HPDF_INCLUDE_DIR
  VERSION_VAR HPDF_VERSION)
if(HPDF_FOUND AND NOT TARGET HPDF::HPDF)
  add_library(HPDF::HPDF UNKNOWN IMPORTED)
  set_target_properties(HPDF::HPDF PROPERTIES
    IMPORTED_LOCATION "${HPDF_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${HPDF_INCLUDE_DIR}")
endif()
mark_as_advanced(HPDF_INCLUDE_DIR HPDF_LIBRARY)
