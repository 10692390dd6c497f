package io.assay.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Finding;
import io.assay.protocol.Verdict;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
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
 * a mining host with its evidence, the switch to Chinese. Screenshots go to {@code target/dashboard-*.png}.
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
        try (TestCollector server = TestCollector.start(dir)) {
            TestHost clean = TestHost.enrolledAt(server, "web-01");
            TestHost miner = TestHost.enrolledAt(server, "gpu-07");
            assertThat(clean.upload(server, clean.next(), clean.next()).statusCode()).isEqualTo(200);
            Finding wallet = new Finding("sig.wallet.cmdline", Finding.Kind.SIGNATURE,
                    "process 4242 (xmr-test) has a checksum-valid wallet address in its command line", 4242, "xmr-test",
                    "/tmp/xmr-test", "b".repeat(64), "root", List.of("44AFFq5k…"), System.currentTimeMillis(), "");
            assertThat(miner.upload(server, miner.next(), miner.next(Verdict.MINING, List.of(wallet))).statusCode())
                    .isEqualTo(200);

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
                assertThat(browser.findElements(By.cssSelector("#timeline .cell.mining"))).hasSize(1);
                screenshot(browser, shots.resolve("dashboard-host.png"));

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
            } finally {
                browser.quit();
            }
        }
    }

    private static void screenshot(WebDriver browser, Path file) throws Exception {
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
