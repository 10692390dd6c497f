package io.assay.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Finding;
import io.assay.protocol.Hardware;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.Verdict;
import io.assay.server.FakeClock;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * driven through Selenium; nothing is downloaded): without a token no host data, log in, the fleet,
 * a mining host with its evidence and its CPU, GPU and power charts, the switch to Chinese, an admin
 * acknowledging the alert. Screenshots go to {@code target/dashboard-*.png}.
 */
@Tag("slow")
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void logInSeeTheFleetOpenAMiningHostAndSwitchToChinese() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM)).as("Debian chromium installed (.ci/run installs it)").isTrue();
        assertThat(Files.isExecutable(DRIVER)).as("Debian chromium-driver installed (.ci/run installs it)").isTrue();
        // Enrolled just before the reports' windows and shown after them, so the page has real coverage.
        FakeClock clock = new FakeClock(TestHost.T0.minusSeconds(60));
        try (TestCollector server = TestCollector.start(dir, clock)) {
            TestHost clean = TestHost.enrolledAt(server, "web-01");
            TestHost miner = TestHost.enrolledAt(server, "gpu-07");
            clock.advance(Duration.ofMinutes(14));
            assertThat(clean.upload(server, clean.next(), clean.next()).statusCode()).isEqualTo(200);
            Finding wallet = new Finding("sig.wallet.cmdline", Finding.Kind.SIGNATURE,
                    "process 4242 (xmr-test) has a checksum-valid wallet address in its command line", 4242, "xmr-test",
                    "/tmp/xmr-test", "b".repeat(64), "root", List.of("44AFFq5k…"), System.currentTimeMillis(), "");
            // An idle GPU host that starts mining: CPU, GPU and power rise with the MINING reports.
            for (int i = 0; i < 12; i++) {
                boolean mining = i >= 8;
                Hardware hw = new Hardware(List.of(new Hardware.Gpu("nvml", "GPU-0", "RTX 3090", "0000:01:00.0", 6,
                        Map.of("gpuUtilPercent", mining ? 99.0 - i % 2 : 4.0 + i % 3), Map.of(), Map.of())), List.of(), List.of(),
                        List.of(new Hardware.Energy("rapl:package-0", (mining ? 95 : 30 + i) * 60.0, mining ? 95 : 30 + i, 60_000,
                                "counter"), new Hardware.Energy("gpu:GPU-0", (mining ? 340 : 25) * 60.0, mining ? 340 : 25,
                                60_000, "power")), List.of());
                LoadSummary load = new LoadSummary(mining ? 96 - i % 3 : 8 + i % 4, mining ? 100 : 20, 6);
                assertThat(miner.upload(server, miner.next(mining ? Verdict.MINING : Verdict.CLEAN,
                        mining ? List.of(wallet) : List.of(), load, hw)).statusCode()).isEqualTo(200);
            }

            // Every report in a signed checkpoint, so the timeline shows them as logged.
            server.collector().transparencyLog().integrate();
            server.collector().transparencyLog().checkpoint();

            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,900", "--lang=en-US", "--no-first-run", "--disable-extensions");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort().build();
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
                String base = server.url().toString();
                Path shots = Files.createDirectories(Path.of("target"));

                // No token: the fleet page is the login page, with no host data.
                browser.get(base + "/dashboard");
                assertThat(browser.getCurrentUrl()).endsWith("/dashboard/login");
                assertThat(browser.getPageSource()).doesNotContain(miner.hostId(), "gpu-07");

                browser.findElement(By.id("token")).sendKeys("assay_auditor_not-a-real-token");
                browser.findElement(By.id("login")).click();
                assertThat(browser.findElement(By.id("login-error")).getText()).contains("not known");

                browser.findElement(By.id("token")).sendKeys(server.auditorToken());
                browser.findElement(By.id("login")).click();
                new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElements(By.id("fleet")).size() == 1);
                String fleet = browser.findElement(By.id("fleet")).getText();
                assertThat(fleet).contains("web-01", "gpu-07", "MINING", "CLEAN");
                screenshot(browser, shots.resolve("dashboard-fleet.png"));

                browser.findElement(By.linkText(miner.hostId())).click();
                new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElements(By.id("findings")).size() == 1);
                assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("MINING");
                String evidence = browser.findElement(By.id("findings")).getText();
                assertThat(evidence).contains("sig.wallet.cmdline", "/tmp/xmr-test", "checksum-valid wallet");
                assertThat(browser.findElements(By.cssSelector("#timeline .cell.mining"))).hasSize(4);
                // The charts are drawn by the server: SVG bars, one per report that stated the figure.
                for (String chart : List.of("chart-cpu", "chart-gpu", "chart-energy")) {
                    assertThat(browser.findElements(By.cssSelector("#" + chart + " rect.bar"))).as(chart).hasSize(12);
                    assertThat(browser.findElement(By.id(chart)).getSize().getHeight()).as(chart).isGreaterThan(50);
                }
                assertThat(browser.findElement(By.id("chain-status")).getText()).contains("No refused upload");
                assertThat(browser.findElement(By.id("log-status")).getText()).contains("12 / 12");
                assertThat(browser.findElements(By.cssSelector("#timeline .cell.unlogged"))).isEmpty();
                // Tall enough for the whole host page (the README shows it).
                browser.manage().window().setSize(new Dimension(1280, 1250));
                screenshot(browser, shots.resolve("dashboard-host.png"));
                browser.manage().window().setSize(new Dimension(1280, 900));
                // A host without GPU or energy figures says so instead of drawing zero.
                browser.get(base + "/dashboard/hosts/" + clean.hostId());
                assertThat(browser.findElement(By.id("chart-gpu")).getText()).contains("not reported");
                assertThat(browser.findElements(By.cssSelector("#chart-gpu rect.bar"))).isEmpty();
                browser.get(base + "/dashboard/hosts/" + miner.hostId());

                browser.findElement(By.id("lang-zh")).click();
                new WebDriverWait(browser, Duration.ofSeconds(30))
                        .until(d -> d.findElement(By.tagName("h1")).getText().startsWith("主机"));
                assertThat(browser.findElement(By.id("findings")).getText()).contains("规则", "sig.wallet.cmdline");
                browser.findElement(By.id("nav-fleet")).click();
                new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElement(By.tagName("h1")).getText().equals("机群"));
                screenshot(browser, shots.resolve("dashboard-fleet-zh.png"));

                browser.findElement(By.id("logout")).click();
                browser.get(base + "/dashboard/hosts/" + miner.hostId());
                assertThat(browser.getCurrentUrl()).endsWith("/dashboard/login");
                assertThat(browser.getPageSource()).doesNotContain("sig.wallet.cmdline");

                // An admin acknowledges the mining alert from the findings page (the browser's own Origin passes the check).
                browser.get(base + "/dashboard/login");
                browser.findElement(By.id("token")).sendKeys(server.adminToken());
                browser.findElement(By.id("login")).click();
                new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElements(By.id("fleet")).size() == 1);
                browser.get(base + "/dashboard/findings?lang=en");
                assertThat(browser.findElements(By.cssSelector("#alerts button.ack"))).hasSize(1);
                browser.findElement(By.cssSelector("#alerts button.ack")).click();
                new WebDriverWait(browser, Duration.ofSeconds(30))
                        .until(d -> d.findElements(By.cssSelector("#alerts button.ack")).isEmpty());
                assertThat(browser.findElement(By.id("alerts")).getText()).contains("acknowledged", "admin (test admin)");
                screenshot(browser, shots.resolve("dashboard-findings.png"));
            } finally {
                browser.quit();
            }
        }
    }

    private static void screenshot(WebDriver browser, Path file) throws Exception {
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
