package dev.memorymcp.storage.mask;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("secret masking")
class SecretMaskerTest {
  @Test
  @DisplayName("keys, tokens, passwords and URL credentials are replaced, the rest kept")
  void masks() {
    var r = SecretMasker.mask("aws AKIAIOSFODNN7EXAMPLE, openai sk-proj-abcdefghijklmnopqrstuvwx, "
        + "gh ghp_abcdefghijklmnopqrstuvwxyz0123456789, password: hunter22, "
        + "url postgres://app:s3cretpw@db:5432/x, api_key=abcdef1234567890XYZ");
    assertThat(r.text()).doesNotContain("AKIAIOSFODNN7EXAMPLE", "sk-proj-abcdef", "ghp_abc", "hunter22", "s3cretpw", "abcdef1234567890XYZ")
        .contains("aws [REDACTED:aws_access_key]", "postgres://app:[REDACTED:connection_url]@db:5432/x", "password: [REDACTED:password]");
    assertThat(r.kinds()).contains("aws_access_key", "openai_key", "github_token", "password", "connection_url", "api_key");
  }

  @Test
  @DisplayName("ordinary text, including Japanese, is untouched")
  void leavesTextAlone() {
    String s = "The password policy requires 12 characters; パスワードは定期的に変更します";
    assertThat(SecretMasker.mask(s).text()).isEqualTo(s);
    assertThat(SecretMasker.mask("パスワードは abc12345xyz です").text()).contains("[REDACTED:password]");
  }
}
