package io.elasticinference.loadtest.kpareplay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.elasticinference.autoscaler.policy.kpa.KpaConfig;
import io.elasticinference.autoscaler.policy.kpa.KpaDecider;
import io.elasticinference.autoscaler.policy.kpa.KpaDecision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Replays observations through the KPA decider and prints its decisions, so the port can be checked against
 * Knative itself or other tooling: {@code kpa-replay --config CONFIG.json < EVENTS.jsonl > DECISIONS.jsonl}.
 */
@Command(name = "kpa-replay", mixinStandardHelpOptions = true,
        description = {"Replay revision-wide observations through the KPA decider (a port of Knative's).",
            "stdin, one JSON object per line, in time order:",
            "  {\"t\": 12.0, \"stat\": {\"concurrency\": 35.0, \"rps\": 40.0}}   an observation for the second holding t",
            "  {\"t\": 14.0, \"tick\": {\"ready\": 3}}                          the decider runs with that many ready pods",
            "stdout, one line per tick: {\"t\": 14.0, \"desired\": 5, \"panic\": false, \"ebc\": -12.0}",
            "(desired before min/max bounds and scale to zero; -1 where Knative has no decision)."})
public final class KpaReplayCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--config", paramLabel = "CONFIG.json",
            description = "One JSON object with Knative's key names (stable-window, target, metric, ...); "
                    + "each optional, Knative's default otherwise.")
    Path config;

    @Override
    public Integer call() {
        return run(new InputStreamReader(System.in, StandardCharsets.UTF_8), System.out, System.err);
    }

    int run(Reader in, PrintStream out, PrintStream err) {
        KpaConfig kpa;
        try {
            kpa = KpaConfig.fromKnative(config == null ? Map.of() : readConfig(config));
        } catch (IOException | IllegalArgumentException e) {
            err.println("kpa-replay: bad config: " + e.getMessage());
            return 2;
        }
        KpaDecider decider = new KpaDecider(kpa, 0, 0);
        BufferedReader reader = new BufferedReader(in);
        int lineNo = 0;
        double lastT = Double.NEGATIVE_INFINITY;
        try {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                JsonNode t = event.get("t");
                if (t == null || !t.isNumber()) {
                    throw new IllegalArgumentException("missing numeric \"t\"");
                }
                double time = t.asDouble();
                if (time < lastT) {
                    throw new IllegalArgumentException("events must be in time order (t " + time + " after " + lastT
                            + ")");
                }
                lastT = time;
                if (event.has("stat")) {
                    JsonNode stat = event.get("stat");
                    decider.record(time, number(stat, "concurrency"), number(stat, "rps"));
                } else if (event.has("tick")) {
                    JsonNode ready = event.get("tick").get("ready");
                    if (ready == null || !ready.canConvertToInt() || ready.asInt() < 0) {
                        throw new IllegalArgumentException("tick needs a whole \"ready\" >= 0");
                    }
                    KpaDecision d = decider.scale(time, ready.asInt());
                    ObjectNode o = JSON.createObjectNode();
                    o.put("t", time);
                    o.put("desired", d.valid() ? d.desiredPodCount() : -1);
                    o.put("panic", d.panicking());
                    o.put("ebc", (double) d.excessBurstCapacity());
                    out.println(JSON.writeValueAsString(o));
                } else {
                    throw new IllegalArgumentException("expected \"stat\" or \"tick\"");
                }
            }
        } catch (JsonProcessingException e) {
            err.println("kpa-replay: line " + lineNo + ": not JSON: " + e.getOriginalMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("kpa-replay: line " + lineNo + ": " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("kpa-replay: " + e.getMessage());
            return 1;
        }
        out.flush();
        return 0;
    }

    private static double number(JsonNode stat, String key) {
        JsonNode v = stat.get(key);
        if (v == null) {
            return 0;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a number");
        }
        return v.asDouble();
    }

    static Map<String, String> readConfig(Path file) throws IOException {
        JsonNode root = JSON.readTree(Files.readString(file));
        if (root == null || !root.isObject()) {
            throw new IOException(file + " must hold one JSON object");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            values.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        }
        return values;
    }
}
