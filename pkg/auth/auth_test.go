package auth

import (
	"strings"
	"testing"
	"time"
)

var testHasher = Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

func TestHashVerify(t *testing.T) {
	phc, err := testHasher.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("got %q, want a PHC argon2id string", phc)
	}
	ok, rehash, err := testHasher.Verify("correct horse", phc)
	if !ok || rehash || err != nil {
		t.Errorf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	if ok, _, _ := testHasher.Verify("correct horsE", phc); ok {
		t.Error("Verify(wrong) = true, want false")
	}
	stronger := Hasher{MemoryKiB: 128, Iterations: 1, Parallelism: 1}
	if _, rehash, _ := stronger.Verify("correct horse", phc); !rehash {
		t.Error("rehash = false under stronger parameters, want true")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=64,t=1,p=1$!!$!!"} {
		if _, _, err := testHasher.Verify("x", bad); err == nil {
			t.Errorf("Verify(%q) err = nil, want ErrBadHash", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct{ pw, want string }{
		{"short", "too_short"},
		{strings.Repeat("x", 129) + "y", "too_long"},
		{"password", "password_breached"},
		{"PassWord1", "password_breached"},
		{"iloveyou", "password_breached"},
		{"ßßßßßßßßßßß", "password_too_weak"},
		{"zyxwvutsrqponm", "password_too_weak"},
		{"Tr0ub4dor&3-staple", ""},
		{"пароль-надёжный-42", ""},
		{"ÅÅÅÅ-long-enough", ""},
	}
	for _, tt := range tests {
		if got := CheckPassword(NormalizePassword(tt.pw)); got != tt.want {
			t.Errorf("CheckPassword(%q) = %q, want %q", tt.pw, got, tt.want)
		}
	}
}

func TestCommonListIsSorted(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(commonPasswords, "\n"), "\n")
	if len(lines) < 10000 {
		t.Fatalf("got %d common passwords, want at least 10000", len(lines))
	}
	for i := 1; i < len(lines); i++ {
		if lines[i-1] >= lines[i] {
			t.Fatalf("line %d %q is not after %q", i, lines[i], lines[i-1])
		}
	}
	for _, l := range []string{lines[0], lines[len(lines)/3], lines[len(lines)-1]} {
		if !isCommon(l) {
			t.Errorf("isCommon(%q) = false, want true", l)
		}
	}
	if isCommon("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-not-in-list") || isCommon("") {
		t.Error("isCommon found a password that is not in the list")
	}
}

func TestSessionToken(t *testing.T) {
	uid, _ := NewID()
	st, err := NewSessionToken(uid)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSessionToken(st.Token)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != uid || p.SessionID != st.SessionID || p.Hash != st.Hash {
		t.Errorf("got %+v, want user %s session %s and the minted hash", p, uid, st.SessionID)
	}
	if strings.Contains(st.Token, st.Hash) {
		t.Error("the token contains its stored hash")
	}
	for _, bad := range []string{"", "a.b.c", st.Token + "x", strings.Replace(st.Token, ".", "", 1), strings.ToUpper(st.Token)} {
		if _, err := ParseSessionToken(bad); err == nil {
			t.Errorf("ParseSessionToken(%q) err = nil, want ErrBadToken", bad)
		}
	}
}

func TestIDs(t *testing.T) {
	a, _ := newIDAt(time.UnixMilli(1000))
	b, _ := newIDAt(time.UnixMilli(2000))
	if !(a < b) || !ValidID(a) || !ValidID(b) {
		t.Errorf("ids %q, %q: want valid and ordered by time", a, b)
	}
	code, hash, _ := NewCode()
	if !ValidCode(code) || HashSecret(code) != hash || ValidCode(code+"a") {
		t.Errorf("code %q does not round-trip", code)
	}
}

func FuzzParseSessionToken(f *testing.F) {
	uid, _ := NewID()
	st, _ := NewSessionToken(uid)
	f.Add(st.Token)
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseSessionToken(s)
		if err != nil {
			return
		}
		if !ValidID(p.UserID) || !ValidID(p.SessionID) || len(p.Hash) != 64 {
			t.Fatalf("accepted %q as %+v", s, p)
		}
		if p.UserID+"."+p.SessionID+"." != s[:len(p.UserID)+len(p.SessionID)+2] {
			t.Fatalf("parse of %q does not match its text", s)
		}
	})
}
