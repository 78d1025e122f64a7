# Tests of the Python analysis scripts (analysis/): include(tests/python.cmake) from the top-level
# CMakeLists.txt. They run Debian's /usr/bin/python3 with python3-h5py, python3-pandas,
# python3-matplotlib and python3-pytest, and make a small result file with the drift program.
#   python_report   loaders, HTML report and validation report (default suite); the validation
#                   tests write their calibration and trial files with h5py
#   browser_report  renders the report in headless Chromium (label browser, excluded by the
#                   release and asan test presets; run with `ctest --preset nightly` or -L browser)
if(DRIFT_BUILD_TESTS)
  set(_drift_pytest /usr/bin/python3 -m pytest -q -p no:cacheprovider
      ${CMAKE_SOURCE_DIR}/analysis/tests)
  set(_drift_pytest_env "DRIFT_BINARY=$<TARGET_FILE:drift>" "PYTHONDONTWRITEBYTECODE=1"
      "MPLBACKEND=Agg")

  add_test(NAME python_report COMMAND ${_drift_pytest} -m "not browser")
  set_tests_properties(python_report PROPERTIES
    ENVIRONMENT "${_drift_pytest_env}"
    TIMEOUT 300
    LABELS python)

  add_test(NAME browser_report COMMAND ${_drift_pytest} -m browser -rs)
  set_tests_properties(browser_report PROPERTIES
    ENVIRONMENT "${_drift_pytest_env};DRIFT_SCREENSHOT=${CMAKE_SOURCE_DIR}/build/report-screenshot.png"
    TIMEOUT 600
    LABELS "browser;python"
    SKIP_REGULAR_EXPRESSION "[0-9]+ skipped")
endif()
