package io.elasticinference.loadtest.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.elasticinference.loadtest.LoadtestMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandTest {

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new LoadtestMain());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path workload() throws Exception {
        Path w = tmp.resolve("w.txt");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            b.append(i < 40 ? 20 : i < 80 ? 150 : 20).append(i % 10 == 9 ? "\n" : " ");
        }
        Files.writeString(w, b.toString());
        return w;
    }

    @Test
    void writesARunDirectoryInTheRunFormat() throws Exception {
        Path dir = tmp.resolve("run");
        Run r = run("simulate", "--workload", workload().toString(), "--scale", "0.5", "--from", "10", "--to", "110",
                "--autoscaler", "hpa-70", "--seed", "3", "--out", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("hpa-70"), r.out());
        for (String f : List.of("run.json", "requests.csv", "timeline.csv", "summary.json", "latency.png",
                "throughput.png", "replicas.png")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        // Seconds 10..109 of the workload at half: 30 x 10 + 40 x 75 + 30 x 10 = 3600 requests.
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(3600, summary.get("sent").asLong());
        List<String> requests = Files.readAllLines(dir.resolve("requests.csv"));
        assertEquals(SimulatedRunWriter.REQUESTS_HEADER, requests.get(0));
        assertEquals(3600, requests.size() - 1);
        long okRows = requests.stream().skip(1).filter(l -> l.contains(",200,OK,")).count();
        assertEquals(summary.get("ok").asLong(), okRows);
        List<String> timeline = Files.readAllLines(dir.resolve("timeline.csv"));
        assertEquals(SimulatedRunWriter.TIMELINE_HEADER, timeline.get(0));
        assertTrue(timeline.size() - 1 >= 100);
        long scheduled = timeline.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[1])).sum();
        assertEquals(3600, scheduled);
        JsonNode info = new ObjectMapper().readTree(dir.resolve("run.json").toFile());
        assertEquals("simulated", info.get("kind").asText());
        assertEquals("hpa-70", info.get("autoscaler").asText());
        assertEquals("3", info.get("params").get("seed").asText());
    }

    @Test
    void helpRendersCleanly() {
        // picocli reports malformed help text (an unescaped percent sign) through its tracer on System.err.
        java.io.PrintStream realErr = System.err;
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
        Run r;
        try {
            r = run("simulate", "--help");
        } finally {
            System.setErr(realErr);
        }
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--sweep") && r.out().contains("--autoscaler"), r.out());
        String warnings = stderr.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(warnings.contains("WARN"), warnings);
    }

    @Test
    void badInputGivesAClearErrorAndExitCode2() throws Exception {
        Path bad = tmp.resolve("bad.txt");
        Files.writeString(bad, "1 2 x3\n");
        Run r = run("simulate", "--workload", bad.toString(), "--out", tmp.resolve("o").toString(),
                "--autoscaler", "hpa-70");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("bad.txt:1") && r.err().contains("x3"), "stderr was: [" + r.err() + "] out: [" + r.out() + "]");
        assertFalse(r.err().contains("Exception"), r.err());

        r = run("simulate", "--workload", workload().toString(), "--out", tmp.resolve("o").toString(),
                "--autoscaler", "nope");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown autoscaler 'nope'"), r.err());

        r = run("simulate", "--workload", workload().toString(), "--out", tmp.resolve("o").toString(),
                "--autoscaler", "hpa-70", "--to", "500");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("slice [0, 500)"), r.err());

        r = run("simulate", "--workload", tmp.resolve("missing.txt").toString(), "--out",
                tmp.resolve("o").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not found"), r.err());
    }

    @Test
    void sweepWritesOneRunPerValueAndTheFrontier() throws Exception {
        Path dir = tmp.resolve("sweep");
        Run r = run("simulate", "--workload", workload().toString(), "--out", dir.toString(), "--no-requests",
                "--sweep", "autoscaler=fixed-1,fixed-4,hpa-70", "--sweep", "hpa-tolerance=0.05,0.3",
                "--autoscaler", "hpa-90", "--quiet");
        assertEquals(0, r.exit(), r.err());
        List<String> csv = Files.readAllLines(dir.resolve("sweep.csv"));
        assertEquals(1 + 5, csv.size());
        assertTrue(Files.size(dir.resolve("frontier.png")) > 0);
        String md = Files.readString(dir.resolve("sweep.md"));
        assertTrue(md.contains("| fixed-4 |") && md.contains("| hpa-tolerance=0.3 |"), md);
        assertTrue(Files.exists(dir.resolve("fixed-1").resolve("summary.json")));
        assertFalse(Files.exists(dir.resolve("fixed-1").resolve("requests.csv")));
        // One pod cannot carry 150 req/s of 15 ms requests; four can: more cost, fewer violations.
        String[] one = csv.get(1).split(",");
        String[] four = csv.get(2).split(",");
        assertTrue(Double.parseDouble(one[7]) > Double.parseDouble(four[7]));
        assertTrue(Double.parseDouble(one[12]) < Double.parseDouble(four[12]));
    }
}
