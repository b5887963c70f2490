# rtt_shm: the shared-memory addon of @rtt/fabric. Built by build.mjs (npm's install script),
# which points node-gyp at a header folder made from the `node-api-headers` package, so the
# build needs no Node source or header download: only Node-API, which is ABI-stable.
{
  "targets": [
    {
      "target_name": "rtt_shm",
      "sources": ["src/shm.cc", "src/peer.cc", "src/beneath.cc", "src/lister.cc"],
      # node-addon-api's C++ wrapper, header-only, without C++ exceptions (errors are thrown
      # as JS errors). Its include folder directly rather than its gyp target, whose stamp file
      # gyp would write outside build/.
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["-fno-exceptions", "-Wall", "-Wextra"],
      "defines": [
        "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS",
        # 8 = Node 12.22 / 14.17 / 15.12+; napi_detach_arraybuffer needs 7. Pinned so the
        # addon loads on every Node this project supports whatever headers built it.
        "NAPI_VERSION=8",
      ],
      "conditions": [
        ["OS=='linux'", {
          # shm_open lives in librt on glibc < 2.34; harmless on newer glibc and on musl.
          "libraries": ["-lrt"],
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
          },
        }],
        ["OS=='win'", {
          # Not built yet (build.mjs skips Windows, see docs/adr/0008-native-shm-addon.md).
          "defines": ["WIN32_LEAN_AND_MEAN", "UNICODE", "_UNICODE"],
        }],
      ],
    },
  ],
}
