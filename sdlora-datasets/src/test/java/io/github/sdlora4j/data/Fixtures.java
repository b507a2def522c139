package io.github.sdlora4j.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Writes small datasets in the real on-disk formats for the reader tests. */
final class Fixtures {

    private Fixtures() {
    }

    /** Pixel value that identifies original class {@code c} in the constant fixture images. */
    static int classValue(int c) {
        return (c * 37 + 11) % 256;
    }

    /** One CIFAR record: label bytes then 3072 pixel bytes, all equal to {@code classValue(label)}. */
    static byte[] cifarRecord(int coarse, int fine, boolean cifar100) {
        int labelBytes = cifar100 ? 2 : 1;
        byte[] rec = new byte[labelBytes + 3072];
        if (cifar100) {
            rec[0] = (byte) coarse;
            rec[1] = (byte) fine;
        } else {
            rec[0] = (byte) fine;
        }
        java.util.Arrays.fill(rec, labelBytes, rec.length, (byte) classValue(fine));
        return rec;
    }

    /** Writes {@code perClass} records for each of {@code classes} classes. */
    static void writeCifar(Path file, int classes, int perClass, boolean cifar100) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < perClass; i++) {
                for (int c = 0; c < classes; c++) {
                    out.write(cifarRecord(c / 5, c, cifar100));
                }
            }
        }
    }

    /** Writes MNIST-style IDX image and label files; pixel values are {@code classValue(label)}. */
    static void writeIdx(Path dir, String prefix, int[] labels, int h, int w, boolean gzip) throws IOException {
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        DataOutputStream di = new DataOutputStream(img);
        di.writeInt(0x00000803);
        di.writeInt(labels.length);
        di.writeInt(h);
        di.writeInt(w);
        for (int l : labels) {
            for (int i = 0; i < h * w; i++) {
                di.write(classValue(l));
            }
        }
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        DataOutputStream dl = new DataOutputStream(lab);
        dl.writeInt(0x00000801);
        dl.writeInt(labels.length);
        for (int l : labels) {
            dl.write(l);
        }
        String suffix = gzip ? ".gz" : "";
        write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), img.toByteArray(), gzip);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), lab.toByteArray(), gzip);
    }

    static void write(Path file, byte[] data, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(data);
        }
    }

    /** Writes a constant-colour RGB image as PNG or JPG (by extension). */
    static void writeImage(Path file, int w, int h, int value) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int rgb = (value << 16) | (value << 8) | value;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString();
        String format = name.endsWith(".png") ? "png" : "jpg";
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
    }

    /** Writes a random-noise RGB JPEG (large scan data, unlike a constant image). */
    static void writeNoiseJpeg(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        ImageIO.write(img, "jpg", file.toFile());
    }

    /** Cuts a file to {@code keep} bytes. */
    static void truncate(Path file, int keep) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, keep));
    }

    /** Path, size and modification time of every file under {@code root}, to prove nothing was written. */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                FileTime t = Files.getLastModifiedTime(p);
                m.put(root.relativize(p).toString(), (Files.isDirectory(p) ? "dir" : Files.size(p)) + "@" + t.toMillis());
            }
        }
        return m;
    }
}
