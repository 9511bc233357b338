/*
 * Targets of extreme shape, for the hostile tests:
 *   shape reserve TIB	one PROT_NONE reservation of TIB tebibytes
 *   shape vmas N	N one-page VMAs that cannot merge, every other
 *			one written
 *   shape shared TIB	TIB tebibytes of shared anonymous memory, the
 *			first page written
 *   shape clonevm 0	a child sharing its mm (CLONE_VM, as vfork makes
 *			them) that execs /bin/sleep when shape gets SIGUSR1
 * Prints "ready START END" (the range it made; for clonevm, the child's
 * pid and 0) and waits to be killed; it dies with its parent. Built
 * without PIE: a PIE binary sits in the middle of the address space and
 * leaves no 100 TiB hole on 47-bit x86-64.
 */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
shape_map(uint64_t len, int prot)
{
	char	*p;

	p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("shape: mmap");
		exit(1);
	}
	return p;
}

/* n one-page VMAs: read-only pages between written ones. */
static char *
shape_vmas(uint64_t n, uint64_t page)
{
	char		*p = shape_map(n * page, PROT_READ | PROT_WRITE);
	uint64_t	 i;

	for (i = 0; i < n; i += 2) {
		p[i * page] = 1;
		if (i + 1 < n && mprotect(p + (i + 1) * page, page,
		    PROT_READ) == -1) {
			perror("shape: mprotect");
			exit(1);
		}
	}
	return p;
}

/* The CLONE_VM child: waits for a byte, then becomes sleep. */
static int
shape_clone_child(void *arg)
{
	char	*const argv[] = { (char *)"sleep", (char *)"60", NULL };
	char	*const envp[] = { NULL };
	int	 go = *(int *)arg;
	char	 c;

	/* Raw calls: this child runs on its parent's memory. */
	if (syscall(SYS_read, go, &c, 1) == 1)
		syscall(SYS_execve, "/bin/sleep", argv, envp);
	syscall(SYS_exit, 127);
	return 0;
}

/* The clonevm mode: never returns. */
static void
shape_clonevm(void)
{
	static int	 go[2];
	sigset_t	 usr1;
	char		*stack;
	int		 child, sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	stack = shape_map(1 << 16, PROT_READ | PROT_WRITE);
	if (pipe(go) == -1 || (child = clone(shape_clone_child,
	    stack + (1 << 16), CLONE_VM | SIGCHLD, &go[0])) == -1) {
		perror("shape: clone");
		exit(1);
	}
	printf("ready %x 0\n", child);
	fflush(stdout);

	sigwait(&usr1, &sig);
	if (write(go[1], "x", 1) != 1)
		exit(1);
	waitpid(child, NULL, 0);
	exit(0);
}

int
main(int argc, char **argv)
{
	uint64_t	 n, page = (uint64_t)sysconf(_SC_PAGESIZE), len;
	char		*p;

	if (argc != 3)
		return 2;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	n = strtoull(argv[2], NULL, 10);
	if (strcmp(argv[1], "reserve") == 0) {
		len = n << 40;
		p = shape_map(len, PROT_NONE);
	} else if (strcmp(argv[1], "vmas") == 0) {
		len = n * page;
		p = shape_vmas(n, page);
	} else if (strcmp(argv[1], "shared") == 0) {
		len = n << 40;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED |
		    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			perror("shape: mmap");
			exit(1);
		}
		p[0] = 1;
	} else if (strcmp(argv[1], "clonevm") == 0)
		shape_clonevm();
	else
		return 2;
	printf("ready %lx %lx\n", (unsigned long)p, (unsigned long)(p + len));
	fflush(stdout);
	for (;;)
		pause();
}
