package io.elasticinference.loadtest.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads a workload file: whitespace-separated whole numbers, one per second (requests in that second). */
public final class WorkloadFile {
    private WorkloadFile() {
    }

    public static int[] read(Path file) throws IOException {
        int[] counts = new int[4096];
        int n = 0;
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                int i = 0;
                int len = line.length();
                while (i < len) {
                    char ch = line.charAt(i);
                    if (Character.isWhitespace(ch)) {
                        i++;
                        continue;
                    }
                    long v = 0;
                    int start = i;
                    while (i < len && !Character.isWhitespace(line.charAt(i))) {
                        char d = line.charAt(i);
                        if (d < '0' || d > '9' || v > Integer.MAX_VALUE) {
                            int end = i;
                            while (end < len && !Character.isWhitespace(line.charAt(end))) {
                                end++;
                            }
                            throw new IllegalArgumentException(file.getFileName() + ":" + lineNo
                                    + ": expected a whole number of requests, got '"
                                    + line.substring(start, Math.min(end, start + 30)) + "'");
                        }
                        v = v * 10 + (d - '0');
                        i++;
                    }
                    if (n == counts.length) {
                        counts = Arrays.copyOf(counts, n * 2);
                    }
                    counts[n++] = (int) v;
                }
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("workload file not found: " + file);
        }
        if (n == 0) {
            throw new IllegalArgumentException("workload file " + file + " holds no numbers");
        }
        return Arrays.copyOf(counts, n);
    }
}
