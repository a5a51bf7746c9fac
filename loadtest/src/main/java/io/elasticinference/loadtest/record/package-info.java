/**
 * The records every run writes, real ({@code loadtest run}) or simulated ({@code loadtest simulate}), so that
 * {@code loadtest compare} treats both alike. The files of a run directory are described in docs/run-format.md.
 */
package io.elasticinference.loadtest.record;
