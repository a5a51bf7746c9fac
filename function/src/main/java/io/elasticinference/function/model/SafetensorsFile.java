package io.elasticinference.function.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads (and, for tests and tooling, writes) the safetensors format: an 8-byte little-endian header length, a JSON
 * header mapping tensor names to dtype, shape and byte offsets, then the raw little-endian data. F32, F16 and BF16
 * tensors are read as float.
 */
public final class SafetensorsFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsFile() {
    }

    /** All tensors, with their shapes checked against {@code expected} (extra entries such as num_batches_tracked
     *  are ignored; a missing or misshapen one is an error that names it). */
    public static Map<String, float[]> read(Path file, Map<String, long[]> expected) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) {
            throw new IOException(file + " is not a safetensors file (too short)");
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong(0);
        if (headerLength <= 0 || headerLength > all.length - 8) {
            throw new IOException(file + " is not a safetensors file (bad header length " + headerLength + ")");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException(file + " has an unreadable safetensors header: " + e.getMessage());
        }
        int dataStart = 8 + (int) headerLength;
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> want : expected.entrySet()) {
            String name = want.getKey();
            JsonNode entry = header.get(name);
            if (entry == null) {
                throw new IOException(file + " has no tensor '" + name + "': is it a torchvision resnet18 state dict?");
            }
            long[] shape = new long[entry.get("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = entry.get("shape").get(i).asLong();
                count *= shape[i];
            }
            if (!java.util.Arrays.equals(shape, want.getValue())) {
                throw new IOException("tensor '" + name + "' has shape " + java.util.Arrays.toString(shape)
                        + ", expected " + java.util.Arrays.toString(want.getValue()));
            }
            String dtype = entry.get("dtype").asText();
            long begin = entry.get("data_offsets").get(0).asLong();
            long end = entry.get("data_offsets").get(1).asLong();
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default -> throw new IOException("tensor '" + name + "' has unsupported dtype " + dtype);
            };
            if (end - begin != count * width || dataStart + end > all.length || begin < 0) {
                throw new IOException("tensor '" + name + "' has inconsistent data offsets (file truncated?)");
            }
            float[] values = new float[(int) count];
            int p = dataStart + (int) begin;
            for (int i = 0; i < values.length; i++, p += width) {
                values[i] = switch (dtype) {
                    case "F32" -> buf.getFloat(p);
                    case "F16" -> halfToFloat(buf.getShort(p));
                    default -> Float.intBitsToFloat((buf.getShort(p) & 0xffff) << 16);
                };
            }
            out.put(name, values);
        }
        return out;
    }

    /** IEEE 754 half precision to float (Java 17 has no built-in conversion). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant / 1024f / 16384f; // subnormal: mant x 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Writes F32 tensors in the given order. */
    public static void write(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        Iterator<Map.Entry<String, float[]>> it = tensors.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, float[]> e = it.next();
            long size = e.getValue().length * 4L;
            header.append('"').append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(JSON.writeValueAsString(shapes.get(e.getKey())))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + size).append("]}");
            offset += size;
            if (it.hasNext()) {
                header.append(',');
            }
        }
        header.append('}');
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            for (float[] t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t);
                out.write(b.array());
            }
        }
    }
}
