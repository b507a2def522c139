package io.github.sdlora4j.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers only ever see the old content or the complete new content: the body writes to a
 * temporary file in the target's directory, which is fsync'd and then renamed over the target. If the body or any
 * step fails, the temporary file is deleted and an existing target is left untouched.
 */
public final class AtomicFiles {

    private static final int BUFFER_BYTES = 1 << 16;
    /** Keeps temporary names under the usual 255-byte file name limit. */
    private static final int MAX_NAME_PREFIX = 100;

    private AtomicFiles() {
    }

    /**
     * Atomically replaces (or creates) {@code target} with what {@code body} writes. The stream is buffered; the
     * body need not flush or close it (closing it is harmless).
     *
     * @param target the file to write; its directory must exist
     * @param body   writes the complete content
     * @throws IOException if the body or the file system fails; the target is then unchanged
     */
    public static void write(Path target, IoConsumer<OutputStream> body) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(body, "body");
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory == null || absolute.getFileName() == null) {
            throw new IllegalArgumentException("cannot write to " + target + ": it names no file");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + " is a directory; expected a file path to write");
        }
        if (!Files.isDirectory(directory)) {
            throw new IOException("cannot write " + target + ": directory " + directory + " does not exist");
        }
        TempFile temp;
        try {
            temp = createTemp(directory, absolute.getFileName().toString());
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
        try {
            try (FileChannel channel = temp.channel();
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES)) {
                body.accept(new FilterOutputStream(out) {
                    @Override
                    public void write(int b) throws IOException {
                        try {
                            out.write(b);
                        } catch (IOException e) {
                            throw cannotWrite(target, e);
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        try {
                            out.write(b, off, len); // FilterOutputStream would write byte by byte.
                        } catch (IOException e) {
                            throw cannotWrite(target, e);
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        // The real close (and fsync) happens below, once the body has finished.
                        try {
                            out.flush();
                        } catch (IOException e) {
                            throw cannotWrite(target, e);
                        }
                    }
                });
                try {
                    out.flush();
                    channel.force(true);
                } catch (IOException e) {
                    throw cannotWrite(target, e);
                }
            }
            try {
                move(temp.path(), absolute);
            } catch (IOException e) {
                throw cannotWrite(target, e);
            }
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp.path());
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        syncDirectory(directory);
    }

    /**
     * A failure of the file system while writing names the target, not the temporary file (which the user never asked
     * for and which is gone by the time the message is read), and says why: disk full, read-only, permission denied.
     */
    private static IOException cannotWrite(Path target, IOException e) {
        if (e instanceof TargetWriteException) {
            return e;
        }
        String why = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e instanceof AccessDeniedException ? "permission denied (a read-only folder or file system?)"
                : e instanceof NoSuchFileException ? "its folder disappeared"
                : e instanceof FileSystemException ? e.getClass().getSimpleName()
                : e.getMessage() != null ? e.getMessage() : e.toString();
        return new TargetWriteException("cannot write " + target + ": " + why, e);
    }

    /** A write that failed in the file system, named after its target. */
    private static final class TargetWriteException extends IOException {
        private static final long serialVersionUID = 1L;

        TargetWriteException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private static TempFile createTemp(Path directory, String fileName) throws IOException {
        String prefix = "." + (fileName.length() > MAX_NAME_PREFIX ? fileName.substring(0, MAX_NAME_PREFIX) : fileName);
        for (int attempt = 0; ; attempt++) {
            Path temp = directory.resolve(prefix + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                // CREATE_NEW with default permissions: unlike Files.createTempFile, the result is not owner-only.
                return new TempFile(temp,
                        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable; not every platform can open a directory, so failure is not an error. */
    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The file is complete and in place; only durability across a power loss is weaker here (e.g. Windows).
        }
    }

    /** A freshly created temporary file and the channel writing it. */
    private record TempFile(Path path, FileChannel channel) {
    }
}
