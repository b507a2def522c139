package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticRenditionTest {

    private static long checksum(SyntheticImages images) {
        CRC32 crc = new CRC32();
        for (int concept = 0; concept < SyntheticImages.CONCEPTS; concept += 37) {
            crc.update(images.render(concept, 1000L + concept).pixels());
        }
        return crc.getValue();
    }

    /** The bundled backbone was pretrained on these exact bytes: adding renditions must not change PHOTO. */
    @Test
    void photoImagesAreTheBytesTheyWereBeforeRenditionsExisted() {
        assertEquals(0x4096d848L, checksum(new SyntheticImages(32)));
        assertEquals(0x4096d848L, checksum(new SyntheticImages(32, SyntheticImages.Rendition.PHOTO)));
    }

    @Test
    void sketchIsPaleDeterministicAndDifferentFromPhoto() {
        SyntheticImages sketch = new SyntheticImages(32, SyntheticImages.Rendition.SKETCH);
        assertEquals(checksum(sketch), checksum(new SyntheticImages(32, SyntheticImages.Rendition.SKETCH)));
        double photoMean = 0;
        double sketchMean = 0;
        int n = 0;
        for (int concept = 0; concept < SyntheticImages.CONCEPTS; concept += 11) {
            photoMean += mean(new SyntheticImages(32).render(concept, concept));
            sketchMean += mean(sketch.render(concept, concept));
            n++;
        }
        photoMean /= n;
        sketchMean /= n;
        // Paper backgrounds: a sketch is much brighter on average than a photo-style image.
        assertTrue(sketchMean > 0.7, "sketch mean brightness " + sketchMean);
        assertTrue(sketchMean - photoMean > 0.2, "photo " + photoMean + " vs sketch " + sketchMean);
    }

    @Test
    void sketchKeepsTheHueOfTheConcept() {
        SyntheticImages sketch = new SyntheticImages(32, SyntheticImages.Rendition.SKETCH);
        // Concepts 0 and 240 differ only in hue bin (0: orange, 4: azure): their ink must differ in colour balance.
        double redMinusBlue0 = 0;
        double redMinusBlue4 = 0;
        for (int i = 0; i < 20; i++) {
            redMinusBlue0 += redMinusBlue(sketch.render(0, i));
            redMinusBlue4 += redMinusBlue(sketch.render(4 * SyntheticImages.SHAPES * SyntheticImages.TEXTURES, i));
        }
        assertTrue(redMinusBlue0 > redMinusBlue4 + 0.5, redMinusBlue0 + " vs " + redMinusBlue4);
    }

    @Test
    void datasetOptionSelectsTheRendition() {
        SyntheticDataset d = SyntheticDataset.defaults().withOptions(Map.of("rendition", "Sketch"));
        assertEquals(SyntheticImages.Rendition.SKETCH, d.rendition());
        assertEquals(SyntheticImages.Rendition.PHOTO, SyntheticDataset.defaults().rendition());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticDataset.defaults().withOptions(Map.of("rendition", "cartoon")));
        assertTrue(e.getMessage().contains("rendition"), e.getMessage());
    }

    private static double mean(RawImage im) {
        double s = 0;
        for (byte b : im.pixels()) {
            s += (b & 0xff) / 255.0;
        }
        return s / im.pixels().length;
    }

    /** Mean (red - blue) over the image: the paper is near grey, so the ink and tint decide its sign. */
    private static double redMinusBlue(RawImage im) {
        int plane = im.width() * im.height();
        double s = 0;
        for (int i = 0; i < plane; i++) {
            int r = im.pixels()[i] & 0xff;
            int b = im.pixels()[2 * plane + i] & 0xff;
            s += (r - b) / 255.0 / plane;
        }
        return s;
    }
}
