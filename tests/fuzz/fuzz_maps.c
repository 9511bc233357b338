/*
 * libFuzzer harness for the maps parser. Any bytes must either parse or
 * fail with a one-line printable cause; every parsed VMA must hold the
 * parser's promises. Memory errors and leaks are the sanitizers' to find.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     tests/fuzz/fuzz_maps.c src/scan/maps.c src/model/vma.c -o fuzz_maps
 * ./fuzz_maps -max_total_time=20 CORPUS_DIR tests/fixtures/maps
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/maps.h"

/* TASK_SIZE on x86-64 with 4-level page tables. */
#define USER_LIMIT	0x7ffffffff000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_vma(const struct vma_info *v)
{
	if (v->name == NULL || v->name[v->name_len] != '\0')
		abort();
	if (v->start >= v->end || (unsigned)v->kind >= VMA_KIND_COUNT)
		abort();
	if (strlen(v->perms) != 4)
		abort();
	if (v->scannable && v->end > USER_LIMIT)
		abort();
}

static void
check_cause(const char *cause)
{
	const unsigned char	*p;

	if (cause == NULL)
		abort();
	for (p = (const unsigned char *)cause; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vma_list	 list = { 0 };
	char		*cause;
	size_t		 i;

	if (maps_parse((const char *)data, size, USER_LIMIT, &list,
	    &cause) == -1)
		check_cause(cause);
	else if (cause != NULL)
		abort();

	for (i = 0; i < list.n; i++)
		check_vma(&list.v[i]);

	free(cause);
	vma_list_clear(&list);
	return 0;
}
