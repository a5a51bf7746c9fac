package io.elasticinference.function.nativeimage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The constant strings of a 64-bit little-endian ELF shared library (x86-64, aarch64): what a C library passes to
 * JNI's FindClass and GetMethodID are string literals, which the linker places in {@code .rodata}. A tiny reader rather
 * than a {@code strings} process, so the test runs wherever the JDK does.
 */
final class ElfStrings {

    private ElfStrings() {
    }

    static Set<String> rodata(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || b.getInt(0) != 0x464c457f) {
            throw new IllegalArgumentException("not an ELF file");
        }
        if (elf[4] != 2 || elf[5] != 1) {
            throw new IllegalArgumentException("not a 64-bit little-endian ELF file");
        }
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
        long namesOffset = b.getLong(Math.toIntExact(shoff + (long) shstrndx * shentsize + 0x18));
        for (int i = 0; i < shnum; i++) {
            int header = Math.toIntExact(shoff + (long) i * shentsize);
            String name = cString(elf, Math.toIntExact(namesOffset + Integer.toUnsignedLong(b.getInt(header))));
            if (name.equals(".rodata")) {
                int offset = Math.toIntExact(b.getLong(header + 0x18));
                int size = Math.toIntExact(b.getLong(header + 0x20));
                return strings(elf, offset, size);
            }
        }
        throw new IllegalArgumentException("no .rodata section");
    }

    /** The NUL-terminated runs of printable ASCII; binary tables in the section yield no whole strings worth keeping. */
    private static Set<String> strings(byte[] data, int offset, int size) {
        Set<String> out = new LinkedHashSet<>();
        int start = offset;
        for (int i = offset; i < offset + size; i++) {
            if (data[i] == 0) {
                if (i > start && printable(data, start, i)) {
                    out.add(new String(data, start, i - start, StandardCharsets.US_ASCII));
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static boolean printable(byte[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] < 0x20 || data[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] data, int offset) {
        int end = offset;
        while (data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
