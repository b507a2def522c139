package io.github.sdlora4j.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.sdlora4j.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one run of the suite measured: the figures in order, what could not be measured and why, the machine,
 * and the headline numbers. Prints each figure as it arrives and writes the whole as JSON.
 */
public final class BenchmarkReport {

    /** Headline keys written at the top level of the JSON (null when not measured). */
    public static final List<String> HEADLINE_KEYS = List.of("w1_ours_images_per_s", "w1_pytorch_images_per_s",
            "w1_ratio_vs_pytorch", "w1_fraction_of_sgemm_peak", "task20_over_task1", "merged_over_plain",
            "w1_ratio_vs_pytorch_all_cores", "w1_core_scaling", "vitb16_ratio_vs_pytorch", "inference_ratio_vs_pytorch",
            "rss_task5_mb", "rss_task20_mb");

    private final String plan;
    private final String command;
    private final Instant started = Instant.now();
    private final Map<String, Object> machine = new LinkedHashMap<>();
    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, String> notMeasured = new LinkedHashMap<>();
    private final Map<String, Double> headline = new LinkedHashMap<>();
    private final List<Figure> projections = new ArrayList<>();
    private final PrintStream console;

    /**
     * @param plan    the plan's name
     * @param command the command line, recorded so a figure can be reproduced
     * @param console where progress is printed; may be null for silence
     */
    public BenchmarkReport(String plan, String command, PrintStream console) {
        this.plan = plan;
        this.command = command;
        this.console = console;
        HEADLINE_KEYS.forEach(k -> headline.put(k, null));
    }

    /** Records a figure and prints it. */
    public Figure add(String section, String name, double value, String unit, String note) {
        if (figure(name).isPresent()) {
            throw new IllegalArgumentException("Figure '" + name + "' was already recorded");
        }
        Figure f = new Figure(section, name, value, unit, note);
        figures.add(f);
        if (console != null) {
            console.printf(Locale.ROOT, "  %-44s %12s %-9s %s%n", name, format(value), unit, f.note());
        }
        return f;
    }

    /** Records that {@code name} (a figure or a whole section) was not measured, and why. */
    public void notMeasured(String name, String reason) {
        notMeasured.put(name, reason);
        if (console != null) {
            console.printf(Locale.ROOT, "  %-44s not measured: %s%n", name, reason);
        }
    }

    /** Sets one of {@link #HEADLINE_KEYS}. */
    public void headline(String key, double value) {
        if (!HEADLINE_KEYS.contains(key)) {
            throw new IllegalArgumentException("Unknown headline key '" + key + "'; known: " + HEADLINE_KEYS);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("Headline '" + key + "' must be finite, got " + value);
        }
        headline.put(key, value);
    }

    /**
     * Records a projected figure: computed from measured ones, not measured itself, and kept apart from the figures
     * (JSON {@code projection}, its own Markdown table) so that it cannot be read as a measurement.
     */
    public Figure project(String name, double value, String unit, String note) {
        Figure f = new Figure("projection", name, value, unit, note);
        projections.add(f);
        if (console != null) {
            console.printf(Locale.ROOT, "  %-44s %12s %-9s PROJECTION: %s%n", name, format(value), unit, f.note());
        }
        return f;
    }

    /** The projected figures, in order. */
    public List<Figure> projections() {
        return Collections.unmodifiableList(projections);
    }

    /** Prints a section title. */
    public void section(String title) {
        if (console != null) {
            console.println();
            console.println("== " + title);
        }
    }

    /** Adds one entry to the machine description. */
    public void putMachine(String key, Object value) {
        machine.put(key, value);
    }

    /** Adds entries to the machine description. */
    public void putMachine(Map<String, Object> values) {
        machine.putAll(values);
    }

    /** The machine description recorded so far (unmodifiable). */
    public Map<String, Object> machine() {
        return Collections.unmodifiableMap(machine);
    }

    /** The figure named {@code name}, if recorded. */
    public Optional<Figure> figure(String name) {
        return figures.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** All figures in the order they were measured. */
    public List<Figure> figures() {
        return Collections.unmodifiableList(figures);
    }

    /** What was not measured, with the reason. */
    public Map<String, String> notMeasured() {
        return Collections.unmodifiableMap(notMeasured);
    }

    /** The headline numbers; a null value was not measured. */
    public Map<String, Double> headline() {
        return Collections.unmodifiableMap(headline);
    }

    /** The report as a JSON tree (maps, lists and scalars). */
    public Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", "sdlora4j-bench/1");
        root.put("plan", plan);
        root.put("command", command);
        root.put("started_utc", started.toString());
        root.put("duration_s", (System.currentTimeMillis() - started.toEpochMilli()) / 1000.0);
        root.put("machine", machine);
        root.putAll(headline);
        root.put("targets", Targets.evaluate(this));
        root.put("figures", toJson(figures));
        root.put("projection", toJson(projections));
        root.put("not_measured", notMeasured);
        return root;
    }

    private static List<Map<String, Object>> toJson(List<Figure> figures) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Figure f : figures) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("section", f.section());
            m.put("name", f.name());
            m.put("value", f.value());
            m.put("unit", f.unit());
            m.put("note", f.note());
            list.add(m);
        }
        return list;
    }

    /** Writes {@link #toJson()} to {@code file} atomically (temp file, fsync, rename). */
    public void writeJson(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> json = toJson();
        AtomicFiles.write(file, out -> mapper.writeValue(out, json));
    }

    /**
     * The report as Markdown: the headline numbers, the goals, every figure by section, the projection, then what
     * was not measured; ready to paste into the README's performance table.
     */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("Command: `").append(command).append("` (plan ").append(plan).append(", started ").append(started)
                .append(")\n\n");
        md.append("Machine: ").append(machine.get("cores")).append(" cores, ").append(machine.get("cpu_model"))
                .append(", ").append(machine.get("nd4j_backend_variant")).append(", ND4J threads ")
                .append(machine.get("nd4j_threads_used")).append(", PyTorch: ").append(machine.get("pytorch"))
                .append(machine.containsKey("pytorch_threads") ? ", threads " + machine.get("pytorch_threads") : "")
                .append(", ours on all cores: ").append(machine.get("ours_all_core_threads")).append(" threads")
                .append(Boolean.FALSE.equals(machine.get("ours_threads_applied")) ? " requested, 1 used" : "")
                .append(", Java ").append(machine.get("java_version")).append("\n\n");
        md.append("| Headline | Value |\n|---|---:|\n");
        headline.forEach((k, v) -> md.append("| `").append(k).append("` | ")
                .append(v == null ? "not measured" : format(v)).append(" |\n"));
        md.append("\n| Goal | Value | Target | Result |\n|---|---:|---|---|\n");
        for (Map<String, Object> t : Targets.evaluate(this)) {
            md.append("| `").append(t.get("name")).append("` | ")
                    .append(t.get("value") == null ? "not measured" : format((Double) t.get("value"))).append(" | ")
                    .append(t.get("goal")).append(" | ").append(passText(t.get("pass"))).append(" |\n");
        }
        md.append("\n| Section | Figure | Value | Unit | How |\n|---|---|---:|---|---|\n");
        appendRows(md, figures);
        if (!projections.isEmpty()) {
            md.append("\nProjection (computed from the measured scaling, not measured):\n");
            md.append("\n| Section | Figure | Value | Unit | How |\n|---|---|---:|---|---|\n");
            appendRows(md, projections);
        }
        if (!notMeasured.isEmpty()) {
            md.append("\nNot measured:\n\n");
            notMeasured.forEach((k, v) -> md.append("- `").append(k).append("`: ").append(v).append("\n"));
        }
        return md.toString();
    }

    private static void appendRows(StringBuilder md, List<Figure> rows) {
        for (Figure f : rows) {
            md.append("| ").append(f.section()).append(" | `").append(f.name()).append("` | ").append(format(f.value()))
                    .append(" | ").append(f.unit()).append(" | ").append(f.note().replace("|", "\\|")).append(" |\n");
        }
    }

    private static String passText(Object pass) {
        return pass == null ? "not measured" : (Boolean) pass ? "pass" : "FAIL";
    }

    /** Writes {@link #toMarkdown()} to {@code file} atomically. */
    public void writeMarkdown(Path file) throws IOException {
        byte[] bytes = toMarkdown().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** Prints the headline numbers. */
    public void printSummary() {
        if (console == null) {
            return;
        }
        console.println();
        console.println("== Summary (" + plan + ")");
        headline.forEach((k, v) -> console.printf(Locale.ROOT, "  %-30s %s%n", k, v == null ? "not measured" : format(v)));
        console.println();
        console.println("== Goals (reported, not enforced)");
        for (Map<String, Object> t : Targets.evaluate(this)) {
            console.printf(Locale.ROOT, "  %-30s %-12s %-8s %s%n", t.get("name"),
                    t.get("value") == null ? "-" : format((Double) t.get("value")), t.get("goal"), passText(t.get("pass")));
        }
    }

    private static String format(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 0.01 || a >= 1e6) ? String.format(Locale.ROOT, "%.4g", v)
                : String.format(Locale.ROOT, "%.3f", v);
    }
}
