/*
 * kbc_cores.h - how many cores this process may run on: its CPU affinity
 * (taskset, a container's cpuset), not the machine's count.
 */
#ifndef KBC_CORES_H
#define KBC_CORES_H

/* At least 1. */
int kbc_cores(void);

#endif
