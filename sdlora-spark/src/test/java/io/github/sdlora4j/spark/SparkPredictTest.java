package io.github.sdlora4j.spark;

import io.github.sdlora4j.examples.SdloraCli;
import io.github.sdlora4j.examples.TinyRuns;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sdlora spark-predict} against {@code sdlora predict --images} on the learner of a tiny run. */
class SparkPredictTest {

    @TempDir
    static Path dir;
    static Path learner;
    static Path images;
    /** What predict --images prints for the readable images: "name\tclass" lines. */
    static List<String> expected;

    @BeforeAll
    static void learnerAndImages() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\n");
        Path run = dir.resolve("run");
        TinyRuns.run(config, run);
        learner = run.resolve("learner.safetensors");
        images = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(7);
        for (int i = 0; i < 70; i++) { // more than one model batch
            BufferedImage img = new BufferedImage(16 + i % 5, 16, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, random.nextInt(0xFFFFFF));
                }
            }
            ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", images.resolve(String.format("img%02d.%s", i,
                    i % 2 == 0 ? "png" : "jpg")).toFile());
        }
        Files.writeString(images.resolve("notes.txt"), "not an image, skipped");
        String printed = TinyRuns.capturingStdout(() -> assertEquals(0, SdloraCli.commandLine().execute("predict",
                "--checkpoint", learner.toString(), "--images", images.toString())));
        expected = List.of(printed.strip().split("\n"));
        assertEquals(70, expected.size());
        LocalSpark.session();
    }

    @Test
    void predictionsCsvHoldsPredictsClassesAndUnreadableImagesAreListed() throws Exception {
        Path folder = copyWithBrokenImage("with-broken");
        Path out = dir.resolve("out-csv");
        String printed = TinyRuns.capturingStdout(() -> assertEquals(0, predict(new StringWriter(), "--checkpoint",
                learner.toString(), "--images", folder.toString(), "--out", out.toString())));
        List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals("file,class_index,class_name", csv.get(0));
        List<String> got = new ArrayList<>();
        List<String> names = List.of(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("run/learner.classes.json").toFile()).get("class_names").toString());
        for (String line : csv.subList(1, csv.size())) {
            String[] cells = line.split(",");
            assertTrue(cells[0].startsWith("file:") && cells[0].endsWith(Path.of(cells[0]).getFileName().toString()));
            got.add(Path.of(cells[0]).getFileName() + "\t" + cells[2]);
            assertTrue(names.get(0).contains("\"" + cells[2] + "\""), cells[2]);
        }
        assertEquals(expected, got, "the same classes as predict --images, in file order");
        assertTrue(printed.contains("1 of 71 images do not decode") && printed.contains("broken.png"), printed);
        List<String> unreadable = Files.readAllLines(out.resolve(SparkPredictCommand.UNREADABLE));
        assertEquals(2, unreadable.size(), unreadable.toString());
        assertTrue(unreadable.get(1).contains("broken.png"), unreadable.toString());
        try (var files = Files.list(out)) {
            assertEquals(List.of("predictions.csv", "unreadable.csv"), files.map(p -> p.getFileName().toString())
                    .sorted().toList(), "one file each, no Spark part folders left");
        }
    }

    @Test
    void strictFailsOnAnUnreadableImageAndWritesNothing() throws Exception {
        Path folder = copyWithBrokenImage("strict");
        Path out = dir.resolve("out-strict");
        StringWriter err = new StringWriter();
        assertEquals(1, predict(err, "--checkpoint", learner.toString(), "--images", folder.toString(), "--out",
                out.toString(), "--strict"));
        assertTrue(err.toString().contains("1 of 71 images do not decode (--strict)")
                && err.toString().contains("broken.png"), err.toString());
        assertFalse(Files.exists(out.resolve("predictions.csv")));
    }

    @Test
    void parquetHoldsTheSameRowsAndAGlobSelectsFiles() throws Exception {
        Path out = dir.resolve("out-parquet");
        assertEquals(0, predict(new StringWriter(), "--checkpoint", learner.toString(), "--images",
                images.resolve("*.png").toString(), "--out", out.toString(), "--format", "parquet"));
        List<Row> rows = LocalSpark.session().read().parquet(out.resolve("predictions.parquet").toString())
                .collectAsList();
        List<String> got = rows.stream().map(r -> Path.of(r.getString(0)).getFileName() + "\t" + r.getString(2))
                .toList();
        assertEquals(expected.stream().filter(l -> l.contains(".png\t")).toList(), got);
    }

    @Test
    void badInputIsRefusedBeforeSpark() {
        StringWriter err = new StringWriter();
        assertEquals(1, predict(err, "--checkpoint", dir.resolve("missing.safetensors").toString(), "--images",
                images.toString(), "--out", dir.resolve("o").toString()));
        assertTrue(err.toString().contains("--checkpoint") && err.toString().contains("does not exist"),
                err.toString());
        StringWriter usage = new StringWriter();
        assertEquals(2, predict(usage, "--checkpoint", learner.toString(), "--images", images.toString(), "--out",
                dir.resolve("o").toString(), "--format", "json"));
        assertTrue(usage.toString().contains("--format must be csv or parquet"), usage.toString());
    }

    private static Path copyWithBrokenImage(String name) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        try (var files = Files.list(images)) {
            for (Path f : files.toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        byte[] png = Files.readAllBytes(images.resolve("img00.png"));
        Files.write(folder.resolve("broken.png"), java.util.Arrays.copyOf(png, png.length / 2));
        return folder;
    }

    private static int predict(StringWriter err, String... args) {
        return LocalSpark.execute("spark-predict", err, args);
    }
}
