package io.elasticinference.loadtest.kpareplay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.elasticinference.loadtest.LoadtestMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KpaReplayCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exit, List<JsonNode> decisions, String err) {
    }

    static Result replay(Path dir, String config, String events) throws Exception {
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, config);
        KpaReplayCommand cmd = new KpaReplayCommand();
        new CommandLine(cmd).parseArgs("--config", cfg.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = cmd.run(new StringReader(events), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        List<JsonNode> decisions = out.toString(StandardCharsets.UTF_8).lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        return new Result(exit, decisions, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void handCheckedScenario(@TempDir Path dir) throws Exception {
        // target 10 at 70% = 7 per pod. 60 s at 35 concurrency -> ceil(35 / 7) = 5 pods, no panic (5 / 3 < 2).
        StringBuilder events = new StringBuilder("{\"t\": 0.1, \"tick\": {\"ready\": 1}}\n");
        for (int t = 0; t < 60; t++) {
            events.append("{\"t\": ").append(t + 0.2).append(", \"stat\": {\"concurrency\": 20.0, \"rps\": 40}}\n");
            events.append("{\"t\": ").append(t + 0.7).append(", \"stat\": {\"concurrency\": 15.0, \"rps\": 0}}\n");
        }
        events.append("{\"t\": 59.9, \"tick\": {\"ready\": 3}}\n");
        // a burst: 6 s at 140 -> panic window average 140 -> 20 pods, 20 / 3 >= 2: panic
        for (int t = 60; t < 66; t++) {
            events.append("{\"t\": ").append(t).append(", \"stat\": {\"concurrency\": 140.0}}\n");
        }
        events.append("{\"t\": 65.5, \"tick\": {\"ready\": 3}}\n");
        Result r = replay(dir, "{\"target\": 10, \"target-burst-capacity\": 20}", events.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(3, r.decisions().size());
        assertEquals(-1, r.decisions().get(0).get("desired").asInt(), "no data yet: no decision");
        JsonNode stable = r.decisions().get(1);
        assertEquals(5, stable.get("desired").asInt());
        assertEquals(false, stable.get("panic").asBoolean());
        // EBC = floor(3 x 10 - 20 - 35) = -25
        assertEquals(-25.0, stable.get("ebc").asDouble());
        JsonNode burst = r.decisions().get(2);
        assertEquals(true, burst.get("panic").asBoolean());
        assertEquals(20, burst.get("desired").asInt());
        assertEquals(59.9, stable.get("t").asDouble());
    }

    @Test
    void rpsMetricAndStringDurations(@TempDir Path dir) throws Exception {
        StringBuilder events = new StringBuilder();
        for (int t = 0; t < 10; t++) {
            events.append("{\"t\": ").append(t).append(", \"stat\": {\"concurrency\": 1.0, \"rps\": 100.0}}\n");
        }
        events.append("{\"t\": 9.5, \"tick\": {\"ready\": 1}}\n");
        Result r = replay(dir, "{\"metric\": \"rps\", \"target\": \"50\", \"stable-window\": \"10s\", "
                + "\"panic-threshold-percentage\": 1000}", events.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(3, r.decisions().get(0).get("desired").asInt()); // ceil(100 / (50 x 0.7))
    }

    @Test
    void badInputIsAClearErrorWithExitCode2(@TempDir Path dir) throws Exception {
        Result unknown = replay(dir, "{\"stabel-window\": \"60s\"}", "");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("stabel-window"), unknown.err());
        Result badWindow = replay(dir, "{\"stable-window\": \"2s\"}", "");
        assertEquals(2, badWindow.exit());
        Result badLine = replay(dir, "{}", "{\"t\": 1, \"stat\": {\"concurrency\": 1}}\nnot json\n");
        assertEquals(2, badLine.exit());
        assertTrue(badLine.err().contains("line 2"), badLine.err());
        Result order = replay(dir, "{}", "{\"t\": 5, \"tick\": {\"ready\": 1}}\n{\"t\": 4, \"tick\": {\"ready\": 1}}\n");
        assertEquals(2, order.exit());
    }

    @Test
    void registeredInTheMainCommand() {
        assertTrue(new CommandLine(new LoadtestMain()).getSubcommands().containsKey("kpa-replay"));
    }
}
