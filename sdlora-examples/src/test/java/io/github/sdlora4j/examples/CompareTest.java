package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sdlora compare} on the tiny synthetic config: 2 methods × 2 seeds, resume, and bad input. */
class CompareTest {

    @TempDir
    Path dir;

    private static final String[] SEEDS = {"--seed", "1993", "--seed", "1994"};

    @Test
    void tableCsvAndChartHoldEachMethodsResultsJsonFigures() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\n");
        Path out = dir.resolve("cmp");
        // First only the baseline; then --resume with SD-LoRA added: the finished baseline is skipped, SD-LoRA runs.
        assertEquals(0, compare(config, out, "--method", "simplecil"));
        Path baselineResults = ComparisonRun.runDir(out, "simplecil").resolve(RunOutputs.RESULTS_JSON);
        byte[] baselineBytes = Files.readAllBytes(baselineResults);
        FileTime baselineTime = FileTime.fromMillis(0);
        Files.setLastModifiedTime(baselineResults, baselineTime);
        assertEquals(0, compare(config, out, "--method", "simplecil", "--method", "SDLoRA", "--resume"));
        assertArrayEquals(baselineBytes, Files.readAllBytes(baselineResults));
        assertEquals(baselineTime, Files.getLastModifiedTime(baselineResults), "a finished method is not rerun");

        List<String> csv = Files.readAllLines(out.resolve(ComparisonRun.CSV));
        assertEquals(3, csv.size(), csv.toString());
        List<String> header = Arrays.asList(csv.get(0).split(",", -1));
        List<String> markdown = Files.readAllLines(out.resolve(ComparisonRun.MARKDOWN));
        assertTrue(markdown.contains("| method | seeds | final accuracy | AAA | forgetting |"), markdown.toString());
        Map<String, String[]> rows = new HashMap<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] cells = line.split(",", -1);
            assertEquals(header.size(), cells.length, line);
            rows.put(cells[0], cells);
        }
        assertEquals(List.of("simplecil", "sdlora"), csv.subList(1, 3).stream().map(l -> l.split(",")[0]).toList(),
                "rows in --method order");
        for (String method : List.of("simplecil", "sdlora")) {
            JsonNode results = ConfigLoader.JSON.readTree(
                    ComparisonRun.runDir(out, method).resolve(RunOutputs.RESULTS_JSON).toFile());
            JsonNode mean = results.get("mean");
            JsonNode std = results.get("std");
            String[] row = rows.get(method);
            assertEquals("2", row[header.indexOf("seeds")]);
            for (String figure : List.of("final_accuracy", "average_anytime_accuracy", "forgetting", "bwt")) {
                assertEquals(mean.get(figure).asDouble(), Double.parseDouble(row[header.indexOf(figure + "_mean")]),
                        method + " " + figure);
                assertEquals(std.get(figure).asDouble(), Double.parseDouble(row[header.indexOf(figure + "_std")]),
                        method + " " + figure);
            }
            for (int t = 0; t < 3; t++) {
                String column = "seen_accuracy_task_" + (t + 1);
                assertEquals(mean.get("seen_accuracy").get(t).asDouble(),
                        Double.parseDouble(row[header.indexOf(column + "_mean")]));
                assertEquals(std.get("seen_accuracy").get(t).asDouble(),
                        Double.parseDouble(row[header.indexOf(column + "_std")]));
            }
            String line = String.format(Locale.ROOT, "| %s | 2 | %s | %s | %s |", method,
                    cell(results, "final_accuracy"), cell(results, "average_anytime_accuracy"),
                    cell(results, "forgetting"));
            assertTrue(markdown.contains(line), line + " not in\n" + String.join("\n", markdown));
        }

        BufferedImage png = ImageIO.read(out.resolve(ComparisonRun.CHART).toFile());
        assertNotNull(png, "comparison.png is not a readable image");
        assertTrue(png.getWidth() >= 400 && png.getWidth() <= 4000 && png.getHeight() >= 300
                && png.getHeight() <= 3000, png.getWidth() + "x" + png.getHeight());
        assertTrue(colours(png) > 8, "the chart has curves, not a blank image");

        // Each method's folder holds what 'run' writes for that method, to the figure.
        Path single = dir.resolve("single");
        List<String> run = new ArrayList<>(List.of("run", "--config", config.toString(), "--method", "sdlora",
                "--out", single.toString()));
        run.addAll(List.of(SEEDS));
        assertEquals(0, SdloraCli.commandLine().execute(run.toArray(String[]::new)));
        SameResults.assertSameResults(single, ComparisonRun.runDir(out, "sdlora"));
        for (String file : new String[]{RunOutputs.MANIFEST, RunOutputs.CHART, RunOutputs.MAGNITUDE_CHART,
                RunOutputs.LEARNER}) {
            assertTrue(Files.isRegularFile(ComparisonRun.runDir(out, "sdlora").resolve(file)), file);
        }

        // A new comparison into the same folder is refused; it needs --resume.
        StringWriter err = new StringWriter();
        assertEquals(1, compare(err, config, out, "--method", "simplecil"));
        assertTrue(err.toString().contains("already holds a comparison"), err.toString());
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 1\n");
        Path out = dir.resolve("cmp");

        StringWriter err = new StringWriter();
        assertEquals(2, compare(err, config, out, "--method", "simplecil", "--method", "sdlroa"));
        assertTrue(err.toString().contains("unknown method 'sdlroa' (did you mean 'sdlora'?)"), err.toString());
        assertEquals(2, compare(err = new StringWriter(), config, out));
        assertTrue(err.toString().contains("--method"), err.toString());
        assertEquals(2, compare(err = new StringWriter(), config, out, "--method", "sdlora", "--method", "SDLORA"));
        assertTrue(err.toString().contains("given twice"), err.toString());

        Path misspelt = dir.resolve("misspelt.yaml");
        Files.writeString(misspelt, Files.readString(config) + "epoch: 3\n");
        assertEquals(1, compare(err = new StringWriter(), misspelt, out, "--method", "sdlora"));
        assertTrue(err.toString().contains("unknown key 'epoch' (did you mean 'epochs'?)"), err.toString());
        assertEquals(1, compare(err = new StringWriter(), config, out, "--method", "sdlora", "--resume"));
        assertTrue(err.toString().contains("nothing to resume"), err.toString());
        assertFalse(Files.exists(out), "nothing written for refused input");

        // Resuming with other seeds: refused for the finished method before the new one starts.
        assertEquals(0, compare(config, out, "--method", "simplecil"));
        assertEquals(1, SdloraCli.commandLine().execute("compare", "--config", config.toString(), "--out",
                out.toString(), "--method", "sdlora", "--method", "simplecil", "--seed", "7", "--resume"));
        assertFalse(Files.exists(ComparisonRun.runDir(out, "sdlora")), "the refused comparison trained nothing");
    }

    private static int compare(Path config, Path out, String... args) {
        return compare(new StringWriter(), config, out, args);
    }

    private static int compare(StringWriter err, Path config, Path out, String... args) {
        List<String> all = new ArrayList<>(List.of("compare", "--config", config.toString(), "--out", out.toString()));
        all.addAll(List.of(args));
        if (Arrays.asList(args).contains("--method")) {
            all.addAll(List.of(SEEDS));
        }
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(all.toArray(String[]::new));
    }

    private static String cell(JsonNode results, String figure) {
        return String.format(Locale.ROOT, "%.2f ± %.2f", results.get("mean").get(figure).asDouble(),
                results.get("std").get(figure).asDouble());
    }

    private static long colours(BufferedImage png) {
        return java.util.stream.IntStream.range(0, png.getWidth() * png.getHeight())
                .map(i -> png.getRGB(i % png.getWidth(), i / png.getWidth())).distinct().count();
    }
}
