package io.elasticinference.loadtest.coldstart;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ColdStartSummaryTest {

    private static ColdStartSummary.Run run(int n, boolean warmup, double portOpen, double first2xx) {
        return new ColdStartSummary.Run(n, warmup, portOpen, portOpen + 1, 503, first2xx, 10);
    }

    @Test
    void medianOfAnOddCountIsTheMiddleRun() {
        ColdStartSummary s = ColdStartSummary.of(List.of(run(1, false, 900, 2300), run(2, false, 800, 2100),
                run(3, false, 1000, 2900)));
        assertEquals(new ColdStartSummary.Stats(2300, 2100, 2900), s.first2xxMs());
        assertEquals(new ColdStartSummary.Stats(900, 800, 1000), s.portOpenMs());
        assertEquals(new ColdStartSummary.Stats(901, 801, 1001), s.firstAnswerMs());
        assertEquals(3, s.runs());
        assertEquals(0, s.warmupRuns());
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        ColdStartSummary s = ColdStartSummary.of(List.of(run(1, false, 400, 2400), run(2, false, 100, 2000),
                run(3, false, 300, 2200), run(4, false, 200, 3000)));
        assertEquals(new ColdStartSummary.Stats(2300, 2000, 3000), s.first2xxMs());
        assertEquals(new ColdStartSummary.Stats(250, 100, 400), s.portOpenMs());
    }

    @Test
    void warmUpsAreCountedAsWarmUpsButNotInTheStatistics() {
        // the warm-up is both slowest and fastest, so any leak into min, max or median shows
        ColdStartSummary s = ColdStartSummary.of(List.of(run(1, true, 10, 9000), run(1, false, 500, 2000),
                run(2, false, 700, 2600)));
        assertEquals(2, s.runs());
        assertEquals(1, s.warmupRuns());
        assertEquals(new ColdStartSummary.Stats(2300, 2000, 2600), s.first2xxMs());
        assertEquals(new ColdStartSummary.Stats(600, 500, 700), s.portOpenMs());
    }

    @Test
    void onlyWarmUpsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> ColdStartSummary.of(List.of(run(1, true, 10, 20))));
    }
}
