# FindLibCSV: libcsv ships neither a pkg-config file nor a CMake config.
# Defines LibCSV_FOUND, LibCSV_INCLUDE_DIR, LibCSV_LIBRARY and the imported
# target LibCSV::LibCSV.
find_path(LibCSV_INCLUDE_DIR NAMES csv.h)
find_library(LibCSV_LIBRARY NAMES csv)
if(LibCSV_INCLUDE_DIR AND EXISTS "${LibCSV_INCLUDE_DIR}/csv.h")
  file(STRINGS "${LibCSV_INCLUDE_DIR}/csv.h" _csv_major REGEX "^#define CSV_MAJOR[ \t]+[0-9]+")
  file(STRINGS "${LibCSV_INCLUDE_DIR}/csv.h" _csv_minor REGEX "^#define CSV_MINOR[ \t]+[0-9]+")
  file(STRINGS "${LibCSV_INCLUDE_DIR}/csv.h" _csv_release REGEX "^#define CSV_RELEASE[ \t]+[0-9]+")
  string(REGEX REPLACE ".*[ \t]([0-9]+)$" "\\1" _csv_major "${_csv_major}")
  string(REGEX REPLACE ".*[ \t]([0-9]+)$" "\\1" _csv_minor "${_csv_minor}")
  string(REGEX REPLACE ".*[ \t]([0-9]+)$" "\\1" _csv_release "${_csv_release}")
  set(LibCSV_VERSION "${_csv_major}.${_csv_minor}.${_csv_release}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibCSV
  REQUIRED_VARS LibCSV_LIBRARY LibCSV_INCLUDE_DIR
  VERSION_VAR LibCSV_VERSION)
if(LibCSV_FOUND AND NOT TARGET LibCSV::LibCSV)
  add_library(LibCSV::LibCSV UNKNOWN IMPORTED)
  set_target_properties(LibCSV::LibCSV PROPERTIES
    IMPORTED_LOCATION "${LibCSV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LibCSV_INCLUDE_DIR}")
endif()
mark_as_advanced(LibCSV_INCLUDE_DIR LibCSV_LIBRARY)
