include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/functionfuse DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ${FUNCTIONFUSE_LIBRARY_TARGETS}
        EXPORT functionfuseTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT functionfuseTargets NAMESPACE functionfuse::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/functionfuse)
configure_package_config_file(cmake/functionfuseConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/functionfuseConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/functionfuse)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/functionfuseConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/functionfuseConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/functionfuseConfigVersion.cmake
              cmake/functionfuseDependencies.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/functionfuse)
