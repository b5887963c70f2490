# The common.gypi that build.mjs puts beside the `node-api-headers` headers, in the header
# folder it hands node-gyp as --nodedir. node-gyp includes `<nodedir>/include/node/common.gypi`
# in every build; Node's own one configures Node's build (V8, OpenSSL, ICU...). An addon that
# uses only Node-API needs just this: the two configurations and the usual compiler settings.
{
  "target_defaults": {
    "default_configuration": "Release",
    "configurations": {
      "Debug": {
        "defines": ["DEBUG", "_DEBUG"],
        "cflags": ["-g", "-O0"],
        "xcode_settings": {"GCC_OPTIMIZATION_LEVEL": "0"},
        "msvs_settings": {"VCCLCompilerTool": {"Optimization": 0, "RuntimeLibrary": 3}},
      },
      "Release": {
        "cflags": ["-O2"],
        "xcode_settings": {"GCC_OPTIMIZATION_LEVEL": "2"},
        "msvs_settings": {"VCCLCompilerTool": {"Optimization": 2, "RuntimeLibrary": 2}},
      },
    },
    "conditions": [
      ["OS not in 'win mac'", {
        "cflags": ["-pthread", "-fPIC", "-fvisibility=hidden"],
        "cflags_cc": ["-fno-rtti", "-std=gnu++17"],
        "ldflags": ["-pthread"],
      }],
      ["OS=='mac'", {
        "xcode_settings": {
          "CLANG_CXX_LANGUAGE_STANDARD": "gnu++17",
          "GCC_ENABLE_CPP_RTTI": "NO",
          "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        },
      }],
      ["OS=='win'", {
        "msvs_settings": {"VCCLCompilerTool": {"AdditionalOptions": ["/std:c++17"]}},
      }],
    ],
  },
}
