package com.example;

import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.SdLoraLearner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's snippet, run as a user runs it, in a project that also has deeplearning4j-core. */
class QuickStartTest {

    private static final Pattern AFTER_TASK = Pattern.compile("after task (\\d): accuracy on (\\d+) classes ([0-9.]+) %");

    @Test
    void learnsTwoTasksFromTheBundledBackboneAndSavesALoadableLearner(@TempDir Path dir) throws Exception {
        Path checkpoint = dir.resolve("learner.safetensors");
        String out = runCapturingStdout(() -> QuickStart.main(new String[]{checkpoint.toString()}));

        List<Double> accuracies = new ArrayList<>();
        Matcher m = AFTER_TASK.matcher(out);
        while (m.find()) {
            assertEquals(2 * (accuracies.size() + 1), Integer.parseInt(m.group(2)), out);
            accuracies.add(Double.parseDouble(m.group(3)));
        }
        assertEquals(2, accuracies.size(), out);
        // Chance is 50 % after task 0 and 25 % after task 1; the pretrained backbone's features do far better.
        assertTrue(accuracies.get(0) > 75 && accuracies.get(1) > 50, "accuracies " + accuracies + "\n" + out);
        assertTrue(out.contains("logits [8, 4]"), out);

        SdLoraLearner loaded = LearnerCheckpoint.load(checkpoint);
        assertEquals(4, loaded.numClasses());
    }

    private interface Body {
        void run() throws Exception;
    }

    private static String runCapturingStdout(Body body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        original.print(out);
        return out;
    }
}
