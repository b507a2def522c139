package io.github.sdlora4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What identifies the data a run read, cheaply (no file is read again): for a dataset of files, a SHA-256 over the
 * relative path and size of every file its reader read; for generated data, the generator's options.
 *
 * <p>The digest is over the lines {@code <relative path>\t<size in bytes>\n} (UTF-8, '/' separators, sorted by path),
 * paths relative to the deepest folder holding every file, so the same files give the same digest wherever the
 * dataset lies and whichever root (a folder or its parent) the config names.
 *
 * @param format    the dataset format
 * @param files     number of files (0 for generated data)
 * @param bytes     their total size
 * @param sha256    the digest described above, or null for generated data
 * @param generator the generator's options (defaults filled in) when there are no files, else null
 */
public record DatasetIdentity(String format, int files, long bytes, String sha256, Map<String, String> generator) {

    /**
     * @param spec the spec the dataset was opened with (format and options)
     * @param data the dataset its reader returned
     * @throws DatasetFormatException when a file's size cannot be read
     */
    public static DatasetIdentity of(DatasetSpec spec, LabeledDataset data) {
        List<Path> files = data.files();
        if (files.isEmpty()) {
            Map<String, String> options = DatasetReaders.forName(spec.format()).generatorOptions(spec.options());
            return new DatasetIdentity(spec.format(), 0, 0, null, new TreeMap<>(options));
        }
        Path base = commonFolder(files);
        Map<String, Long> sizes = new TreeMap<>();
        for (Path f : files) {
            Path abs = f.toAbsolutePath().normalize();
            try {
                sizes.put(base.relativize(abs).toString().replace('\\', '/'), Files.size(abs));
            } catch (IOException e) {
                throw new DatasetFormatException(f, "expected a readable file (its size identifies the dataset)", e);
            }
        }
        long bytes = sizes.values().stream().mapToLong(Long::longValue).sum();
        return new DatasetIdentity(spec.format(), sizes.size(), bytes, digest(sizes), null);
    }

    /** The SHA-256 of the (relative path, size) lines, in path order. */
    static String digest(Map<String, Long> sizes) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            sizes.forEach((path, size) -> d.update((path + "\t" + size + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static Path commonFolder(List<Path> files) {
        Path common = files.get(0).toAbsolutePath().normalize().getParent();
        for (Path f : files) {
            Path abs = f.toAbsolutePath().normalize();
            while (!abs.startsWith(common)) {
                common = common.getParent(); // ends at the file system root, which holds every file
            }
        }
        return common;
    }
}
