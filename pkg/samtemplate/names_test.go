package samtemplate

import "testing"

func TestNames(t *testing.T) {
	for _, c := range []struct{ folder, id string }{
		{"auth-register", "AuthRegisterFunction"},
		{"me-get", "MeGetFunction"},
		{"mailer", "MailerFunction"},
		{"admin-users-list", "AdminUsersListFunction"},
		{"v2-users", "V2UsersFunction"},
	} {
		if got := LogicalID(c.folder); got != c.id {
			t.Errorf("LogicalID(%q): got %q, want %q", c.folder, got, c.id)
		}
		if got := Folder(c.id); got != c.folder {
			t.Errorf("Folder(%q): got %q, want %q", c.id, got, c.folder)
		}
	}
	for _, id := range []string{"Table", "Function", ""} {
		if got := Folder(id); got != "" {
			t.Errorf("Folder(%q): got %q, want \"\"", id, got)
		}
	}
}
