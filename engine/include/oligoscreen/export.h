/* OLIGOSCREEN_API marks the public C and C++ API of liboligoscreen. The library is built with
 * -fvisibility=hidden, so everything not marked stays private to it. */
#ifndef OLIGOSCREEN_EXPORT_H
#define OLIGOSCREEN_EXPORT_H

#if defined(_WIN32)
#if defined(OLIGOSCREEN_BUILDING)
#define OLIGOSCREEN_API __declspec(dllexport)
#else
#define OLIGOSCREEN_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define OLIGOSCREEN_API __attribute__((visibility("default")))
#else
#define OLIGOSCREEN_API
#endif

/* OLIGOSCREEN_LOCAL keeps a member of an exported class out of the ABI (private constructors). */
#if defined(__GNUC__) || defined(__clang__)
#define OLIGOSCREEN_LOCAL __attribute__((visibility("hidden")))
#else
#define OLIGOSCREEN_LOCAL
#endif

#endif /* OLIGOSCREEN_EXPORT_H */
