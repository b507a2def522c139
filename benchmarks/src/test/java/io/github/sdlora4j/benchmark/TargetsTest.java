package io.github.sdlora4j.benchmark;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetsTest {

    private static Map<String, Object> target(List<Map<String, Object>> all, String name) {
        return all.stream().filter(m -> m.get("name").equals(name)).findFirst().orElseThrow();
    }

    @Test
    void goalsAreTheIssuesBoundsAndPassOnTheBoundary() {
        BenchmarkReport report = new BenchmarkReport("test", "bench", null);
        report.headline("w1_ratio_vs_pytorch_all_cores", 1.2);
        report.headline("w1_core_scaling", 1.69);
        report.headline("task20_over_task1", 1.05);
        report.headline("w1_fraction_of_sgemm_peak", 0.61);
        List<Map<String, Object>> all = Targets.evaluate(report);
        assertEquals(7, all.size());
        assertEquals(true, target(all, "w1_ratio_vs_pytorch_all_cores").get("pass"));
        assertEquals(">= 1.2", target(all, "w1_ratio_vs_pytorch_all_cores").get("goal"));
        assertEquals(false, target(all, "w1_core_scaling").get("pass"));
        assertEquals(">= 1.7", target(all, "w1_core_scaling").get("goal"));
        assertEquals(true, target(all, "task20_over_task1").get("pass"), "at most 1.05");
        assertEquals("<= 1.05", target(all, "task20_over_task1").get("goal"));
        assertEquals(true, target(all, "w1_fraction_of_sgemm_peak").get("pass"));
        assertEquals(">= 0.6", target(all, "w1_fraction_of_sgemm_peak").get("goal"));
        assertEquals(">= 1.1", target(all, "vitb16_ratio_vs_pytorch").get("goal"));
        assertEquals(">= 1.2", target(all, "inference_ratio_vs_pytorch").get("goal"));
        for (String unmeasured : List.of("vitb16_ratio_vs_pytorch", "inference_ratio_vs_pytorch",
                "rss_task5_to_task20_deviation")) {
            assertNull(target(all, unmeasured).get("value"), unmeasured);
            assertNull(target(all, unmeasured).get("pass"), unmeasured);
        }
    }

    @Test
    void figuresCountWhenNoHeadlineHoldsTheKey() {
        BenchmarkReport report = new BenchmarkReport("test", "bench", null);
        report.add("vitb16", "vitb16_ratio_vs_pytorch", 1.05, "ratio", "");
        Map<String, Object> t = target(Targets.evaluate(report), "vitb16_ratio_vs_pytorch");
        assertEquals(1.05, (Double) t.get("value"), 1e-12);
        assertEquals(false, t.get("pass"));
    }

    @Test
    void memoryIsFlatWhenEveryTaskFromTheFifthIsWithinTenPercent() {
        BenchmarkReport report = new BenchmarkReport("test", "bench", null);
        report.headline("rss_task5_mb", 1000);
        report.headline("rss_task20_mb", 1080);
        report.add("long_run", "long_run_min_over_task5", 0.95, "ratio", "");
        report.add("long_run", "long_run_max_over_task5", 1.08, "ratio", "");
        Map<String, Object> t = target(Targets.evaluate(report), "rss_task5_to_task20_deviation");
        assertEquals(0.08, (Double) t.get("value"), 1e-12);
        assertEquals(true, t.get("pass"));

        BenchmarkReport dipped = new BenchmarkReport("test", "bench", null);
        dipped.headline("rss_task20_mb", 1000);
        dipped.add("long_run", "long_run_min_over_task5", 0.88, "ratio", "");
        dipped.add("long_run", "long_run_max_over_task5", 1.0, "ratio", "");
        Map<String, Object> d = target(Targets.evaluate(dipped), "rss_task5_to_task20_deviation");
        assertEquals(0.12, (Double) d.get("value"), 1e-12);
        assertEquals(false, d.get("pass"), "a task 12 % below task 5 is not flat either");
    }

    @Test
    void reportJsonCarriesTargetsAndKeepsProjectionsApartFromFigures() {
        BenchmarkReport report = new BenchmarkReport("test", "bench", null);
        report.headline("w1_core_scaling", 1.8);
        report.project("projected_w1_ours_images_per_s_8_cores", 120, "images/s", "Amdahl");
        Map<String, Object> json = report.toJson();
        assertTrue(json.containsKey("targets"));
        assertEquals(List.of(), json.get("figures"));
        assertEquals(1, ((List<?>) json.get("projection")).size());
        assertTrue(report.toMarkdown().contains("not measured):"), report.toMarkdown());
        assertTrue(report.toMarkdown().contains("| `w1_core_scaling` | 1.800 | >= 1.7 | pass |"), report.toMarkdown());
    }
}
