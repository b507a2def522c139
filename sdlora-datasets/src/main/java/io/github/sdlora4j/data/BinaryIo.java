package io.github.sdlora4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Small file helpers shared by the binary readers. */
final class BinaryIo {

    private BinaryIo() {
    }

    /** @return {@code dir/name}, or {@code dir/name.gz} when only that exists, or {@code null} */
    static Path findPlainOrGz(Path dir, String name) {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    /** Opens {@code file}, decompressing when it starts with the gzip magic bytes (whatever its name). */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    /** Reads exactly {@code len} bytes or returns the number actually read (less at end of stream). */
    static int readFully(InputStream in, byte[] buf, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = in.read(buf, off + done, len - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** @return the folder to read: {@code root} itself or {@code root/sub} if the expected file lives there */
    static Path descendIfPresent(Path root, String sub, String marker) {
        if (!Files.exists(root.resolve(marker)) && !Files.exists(root.resolve(marker + ".gz"))
                && Files.isDirectory(root.resolve(sub))) {
            return root.resolve(sub);
        }
        return root;
    }

    /** @throws DatasetFormatException if {@code root} is null or not a directory */
    static Path requireDirectory(Path root, String format) {
        if (root == null) {
            throw new DatasetFormatException(null, "format '" + format + "' needs a root folder, none was given");
        }
        if (!Files.isDirectory(root)) {
            throw new DatasetFormatException(root, "expected the " + format + " dataset folder, "
                    + (Files.exists(root) ? "found a file" : "it does not exist"));
        }
        return root;
    }
}
