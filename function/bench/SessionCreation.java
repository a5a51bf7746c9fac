import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What creating the ONNX Runtime session costs at start-up, and what a model that ONNX Runtime optimised ahead of
 * time would save (docs/benchmarks.md, fifteenth session). One measurement per JVM, so that every one is a cold one,
 * as at a start.
 *
 * <pre>
 * java -cp function/target/function-runner.jar function/bench/SessionCreation.java prepare MODEL DIR
 *     writes DIR/extended.onnx (portable optimisations) and DIR/all.onnx (all, hardware-specific)
 * java -cp function/target/function-runner.jar function/bench/SessionCreation.java time FILE LEVEL
 *     LEVEL: NO_OPT, BASIC_OPT, EXTENDED_OPT or ALL_OPT; prints session creation and first run, wall and CPU
 * </pre>
 */
public class SessionCreation {

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (args.length == 3 && args[0].equals("prepare")) {
            Path dir = Files.createDirectories(Path.of(args[2]));
            save(env, args[1], OrtSession.SessionOptions.OptLevel.EXTENDED_OPT, dir.resolve("extended.onnx"));
            save(env, args[1], OrtSession.SessionOptions.OptLevel.ALL_OPT, dir.resolve("all.onnx"));
        } else if (args.length == 3 && args[0].equals("time")) {
            time(env, args[1], OrtSession.SessionOptions.OptLevel.valueOf(args[2]));
        } else {
            System.err.println("usage: SessionCreation prepare MODEL DIR | time FILE LEVEL");
            System.exit(2);
        }
    }

    private static OrtSession.SessionOptions options(OrtSession.SessionOptions.OptLevel level) throws Exception {
        // One thread, as the function's shared session has on 2 CPUs.
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(level);
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        return options;
    }

    private static void save(OrtEnvironment env, String model, OrtSession.SessionOptions.OptLevel level, Path to)
            throws Exception {
        OrtSession.SessionOptions options = options(level);
        options.setOptimizedModelFilePath(to.toString());
        env.createSession(model, options).close();
        System.out.println("wrote " + to + " (" + level + ")");
    }

    private static void time(OrtEnvironment env, String file, OrtSession.SessionOptions.OptLevel level)
            throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        OrtSession.SessionOptions options = options(level);
        long wall0 = System.nanoTime();
        long cpu0 = os.getProcessCpuTime();
        try (OrtSession session = env.createSession(file, options)) {
            long wall1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            FloatBuffer zeros = FloatBuffer.wrap(new float[3 * 224 * 224]);
            try (OnnxTensor input = OnnxTensor.createTensor(env, zeros, new long[] {1, 3, 224, 224});
                 OrtSession.Result ignored = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
                long wall2 = System.nanoTime();
                long cpu2 = os.getProcessCpuTime();
                System.out.printf("%s %s: session %.0f ms (CPU %.0f ms), first run %.0f ms (CPU %.0f ms)%n",
                        Path.of(file).getFileName(), level, (wall1 - wall0) / 1e6, (cpu1 - cpu0) / 1e6,
                        (wall2 - wall1) / 1e6, (cpu2 - cpu1) / 1e6);
            }
        }
    }
}
