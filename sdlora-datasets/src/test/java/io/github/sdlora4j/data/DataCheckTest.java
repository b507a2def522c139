package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data check before training: every bad file of every split found at once, by header or by full decode. */
class DataCheckTest {

    @TempDir
    Path root;

    /** Four classes, two images each in train and one in test; class d (a later task's) gets the bad files. */
    private void writeFolders() throws IOException {
        for (String c : new String[] {"a", "b", "c", "d"}) {
            Fixtures.writeNoiseJpeg(Files.createDirectories(root.resolve("train/" + c)).resolve("1.jpg"), 24, 24);
            Fixtures.writeImage(root.resolve("train/" + c + "/2.png"), 20, 16, 40);
            Fixtures.writeImage(root.resolve("test/" + c + "/3.png"), 16, 16, 90);
        }
    }

    @Test
    void headerCheckFindsATruncatedJpegAndATextFileNamedJpgInOnePass() throws IOException {
        writeFolders();
        Path truncated = root.resolve("train/d/1.jpg");
        Fixtures.truncate(truncated, (int) Files.size(truncated) * 2 / 3);
        Path text = root.resolve("train/d/notes.jpg");
        Files.writeString(text, "these are my notes, not an image");
        Path badTest = root.resolve("test/c/3.png");
        Fixtures.truncate(badTest, (int) Files.size(badTest) / 2);
        // Bytes after the JPEG end marker are legal: such a file decodes and must pass.
        Path trailing = root.resolve("train/a/1.jpg");
        Files.write(trailing, new byte[] {1, 2, 3, 4}, StandardOpenOption.APPEND);
        assertDoesNotThrow(() -> ImageDecoder.decode(trailing));

        LabeledDataset data = DatasetReaders.forName("image-folder").read(root, Map.of(), false);
        AtomicInteger ticks = new AtomicInteger();
        DataCheck.Report report = DataCheck.check(data, DataCheck.Depth.HEADERS, 2, ticks::incrementAndGet);

        assertEquals(13, report.checked());
        assertEquals(data.name(), report.dataset());
        assertEquals(13, ticks.get(), "one progress tick per image");
        List<String> messages = report.problems().stream().map(DataCheck.Problem::message).toList();
        assertEquals(3, messages.size(), messages.toString());
        assertTrue(messages.get(0).startsWith(truncated.toString()), messages.toString());
        assertTrue(messages.get(1).startsWith(text.toString()) && messages.get(1).contains("no decoder"),
                messages.toString());
        assertTrue(messages.get(2).startsWith(badTest.toString()), messages.toString());
        String listed = report.describe(2);
        assertTrue(listed.startsWith("3 of 13 images cannot be used (train 2, test 1):"),
                listed);
        assertTrue(listed.contains(truncated.toString()) && listed.contains(text.toString()), listed);
        assertTrue(listed.endsWith("... and 1 more"), listed);
    }

    @Test
    void fullDecodeAlsoFindsAJpegCutInsideItsScanData() throws IOException {
        writeFolders();
        LabeledDataset data = DatasetReaders.forName("image-folder").read(root, Map.of(), false);
        assertTrue(DataCheck.check(data, DataCheck.Depth.FULL_DECODE, 2, () -> { }).ok());
        Path cut = root.resolve("train/b/1.jpg");
        byte[] jpeg = Files.readAllBytes(cut);
        int sos = 0;
        while (!((jpeg[sos] & 0xFF) == 0xFF && (jpeg[sos + 1] & 0xFF) == 0xDA)) {
            sos++;
        }
        Fixtures.truncate(cut, sos + (jpeg.length - sos) / 2);

        for (DataCheck.Depth depth : DataCheck.Depth.values()) {
            DataCheck.Report report = DataCheck.check(data, depth, 1, () -> { });
            assertEquals(1, report.problems().size(), depth + ": " + report.problems());
            assertEquals(new DataCheck.Problem("train", 2, report.problems().get(0).message()),
                    report.problems().get(0));
        }
    }

    @Test
    void headerCheckRejectsAFileWithoutAnImageHeader() throws IOException {
        Path file = root.resolve("x.png");
        Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ImageDecoder.checkHeader(file));
        assertEquals(file, e.file());
    }
}
