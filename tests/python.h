/* tests/python.h - running Debian's python3 from a test, for the checks that
   NumPy reads what initnn writes. POSIX (fork, execl, waitpid): include it
   after defining _POSIX_C_SOURCE, as the tests that use it do. */
#ifndef INITNN_TESTS_PYTHON_H
#define INITNN_TESTS_PYTHON_H

#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"

/* Runs PYTHON -c script arg1 arg2 without a shell; returns its exit status,
   or -1 if it could not run. */
static int run_python(const char *script, const char *arg1, const char *arg2)
{
    pid_t pid;
    int status = 0;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execl(PYTHON, "python3", "-c", script, arg1, arg2, (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether PYTHON runs and imports numpy. */
static int numpy_available(void)
{
    return access(PYTHON, X_OK) == 0 && run_python("import numpy", "", "") == 0;
}

#endif
